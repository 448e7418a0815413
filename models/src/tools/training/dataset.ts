/**
 * Windows a Stress-Predict-layout folder (raw/SXX/*.csv + labels.csv) into the agent's 5 s windows
 * with the agent's own feature code. Labels are used only to mark each window stress (1) or rest
 * (0); they never reach the features or the personal baseline, which is learned from the first
 * minutes of each recording exactly as the agent learns it at the start of a stay.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { e4ToOffsetSamples, readE4Recording } from '../../runtime/wearable/e4-csv.ts';
import { DEFAULT_WINDOW_MS, recordingWindowFeatures } from '../../runtime/wearable/pipeline.ts';
import type { WindowFeatures } from '../../runtime/wearable/window-features.ts';

/** Per-second labels of one subject: unix second -> 1 (stress task) or 0 (baseline/rest). */
export type SecondLabels = Map<number, 0 | 1>;

export function parseLabelsCsv(text: string, file = 'labels.csv'): Map<string, SecondLabels> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]?.split(',').map((h) => h.trim());
  const col = (name: string) => {
    const i = header?.indexOf(name) ?? -1;
    if (i < 0) throw new Error(`${file}: header must name subject, unix_time and label (got ${lines[0]})`);
    return i;
  };
  const [cs, ct, cl] = [col('subject'), col('unix_time'), col('label')];
  const out = new Map<string, SecondLabels>();
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',');
    const subject = cells[cs]?.trim();
    const t = Number(cells[ct]);
    const label = Number(cells[cl]);
    if (!subject || !Number.isFinite(t) || (label !== 0 && label !== 1)) throw new Error(`${file}:${i + 2}: bad row ${line}`);
    let m = out.get(subject);
    if (!m) out.set(subject, (m = new Map()));
    m.set(Math.floor(t), label);
  });
  return out;
}

export interface SubjectWindows {
  subject: string;
  /** Features of every window from the recording start, in order (the agent's view). */
  windows: WindowFeatures[];
  /** Per window: 1/0 when every second of it carries that label, null when unlabelled or mixed. */
  labels: (0 | 1 | null)[];
}

/** Subjects with both a raw/SXX folder and labels, in name order (deterministic). */
export function listSubjects(dataDir: string, labels: Map<string, SecondLabels>): string[] {
  const rawDir = join(dataDir, 'raw');
  return readdirSync(rawDir)
    .filter((s) => /^S\d+$/.test(s) && labels.has(s) && existsSync(join(rawDir, s)))
    .sort();
}

export function windowLabel(labels: SecondLabels, startUnixS: number, windowS: number): 0 | 1 | null {
  let label: 0 | 1 | null = null;
  for (let s = 0; s < windowS; s++) {
    const l = labels.get(Math.floor(startUnixS) + s);
    if (l === undefined) return null;
    if (label !== null && l !== label) return null;
    label = l;
  }
  return label;
}

export function loadSubject(dataDir: string, subject: string, labels: SecondLabels, windowMs = DEFAULT_WINDOW_MS): SubjectWindows {
  const rec = readE4Recording(join(dataDir, 'raw', subject));
  const windows = recordingWindowFeatures(e4ToOffsetSamples(rec), windowMs);
  const windowS = windowMs / 1000;
  return {
    subject,
    windows,
    labels: windows.map((w) => windowLabel(labels, rec.startUnixS + w.windowStartMs / 1000, windowS)),
  };
}

export interface Dataset {
  dataDir: string;
  subjects: SubjectWindows[];
}

/** Loads every labelled subject (or the first `limit`, for tests). */
export function loadDataset(
  dataDir: string,
  options: { windowMs?: number; limit?: number; only?: string[]; log?: (m: string) => void } = {},
): Dataset {
  const labelsPath = join(dataDir, 'labels.csv');
  const labels = parseLabelsCsv(readFileSync(labelsPath, 'utf8'), labelsPath);
  let subjects = listSubjects(dataDir, labels);
  if (options.only) subjects = subjects.filter((s) => options.only!.includes(s));
  if (options.limit !== undefined) subjects = subjects.slice(0, options.limit);
  if (subjects.length === 0) throw new Error(`${dataDir}: no subject has both raw/SXX and rows in labels.csv`);
  return {
    dataDir,
    subjects: subjects.map((s) => {
      const sw = loadSubject(dataDir, s, labels.get(s)!, options.windowMs);
      options.log?.(`${s}: ${sw.windows.length} windows, ${sw.labels.filter((l) => l !== null).length} labelled`);
      return sw;
    }),
  };
}
