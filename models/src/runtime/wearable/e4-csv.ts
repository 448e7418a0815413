/**
 * Empatica E4 CSV export reader. In every signal file the first row is the session start (unix
 * seconds, UTC; one column per axis for ACC) and the second the sample rate in Hz; IBI.csv has a
 * header row `start, IBI` and then `offset_s, ibi_s` rows. ACC is in 1/64 g (range +-2 g).
 * See the E4 data export documentation (info.txt that ships with every export).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OffsetSample, OffsetSampleGenerator } from './samples.ts';

export interface E4Signal {
  startUnixS: number;
  hz: number;
  /** One row per sample; one column per axis. */
  rows: number[][];
}

export interface E4Recording {
  /** Earliest start over all files; every offset below is relative to it. */
  startUnixS: number;
  hr: E4Signal | null;
  eda: E4Signal | null;
  temp: E4Signal | null;
  acc: E4Signal | null;
  /** Inter-beat intervals: end of the interval (seconds from `ibiStartUnixS`) and its length. */
  ibi: { startUnixS: number; beats: { offsetS: number; ibiS: number }[] } | null;
}

export const E4_ACC_UNITS_PER_G = 64;

function parseRow(line: string, file: string, lineNo: number): number[] {
  const values = line.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`${file}:${lineNo}: not a numeric row`);
  return values;
}

export function parseE4Signal(text: string, file = 'signal.csv'): E4Signal {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new Error(`${file}: needs a start-time row and a sample-rate row`);
  const startUnixS = parseRow(lines[0]!, file, 1)[0]!;
  const hz = parseRow(lines[1]!, file, 2)[0]!;
  if (!(hz > 0)) throw new Error(`${file}: sample rate must be positive, got ${hz}`);
  const rows = lines.slice(2).map((l, i) => parseRow(l, file, i + 3));
  return { startUnixS, hz, rows };
}

export function parseE4Ibi(text: string, file = 'IBI.csv'): NonNullable<E4Recording['ibi']> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 1) throw new Error(`${file}: empty`);
  // Header row is `start_unix_s, IBI`: only the first column is a number.
  const startUnixS = Number(lines[0]!.split(',')[0]!.trim());
  if (!Number.isFinite(startUnixS)) throw new Error(`${file}:1: start time is not a number`);
  const beats = lines.slice(1).map((l, i) => {
    const [offsetS, ibiS] = parseRow(l, file, i + 2);
    if (offsetS === undefined || ibiS === undefined) throw new Error(`${file}:${i + 2}: expected offset_s, ibi_s`);
    return { offsetS, ibiS };
  });
  return { startUnixS, beats };
}

/** Reads the signal files of one E4 session folder; a missing file is reported as null, not invented. */
export function readE4Recording(dir: string): E4Recording {
  const read = (name: string) => {
    const path = join(dir, name);
    return existsSync(path) ? readFileSync(path, 'utf8') : null;
  };
  const signal = (name: string) => {
    const text = read(name);
    return text === null ? null : parseE4Signal(text, join(dir, name));
  };
  const hr = signal('HR.csv');
  const eda = signal('EDA.csv');
  const temp = signal('TEMP.csv');
  const acc = signal('ACC.csv');
  const ibiText = read('IBI.csv');
  const ibi = ibiText === null ? null : parseE4Ibi(ibiText, join(dir, 'IBI.csv'));
  const starts = [hr, eda, temp, acc, ibi].filter((s) => s !== null).map((s) => s.startUnixS);
  if (starts.length === 0) throw new Error(`${dir}: no E4 signal files (HR.csv, IBI.csv, EDA.csv, TEMP.csv, ACC.csv)`);
  return { startUnixS: Math.min(...starts), hr, eda, temp, acc, ibi };
}

/** Flattens a recording into time-ordered offset samples (seconds from the recording start). */
export function e4ToOffsetSamples(rec: E4Recording): OffsetSample[] {
  const out: OffsetSample[] = [];
  const each = (sig: E4Signal | null, make: (row: number[], offsetS: number) => OffsetSample) => {
    if (!sig) return;
    const shiftS = sig.startUnixS - rec.startUnixS;
    sig.rows.forEach((row, i) => out.push(make(row, shiftS + i / sig.hz)));
  };
  each(rec.hr, (r, offsetS) => ({ kind: 'hr', offsetS, hrBpm: r[0]! }));
  each(rec.eda, (r, offsetS) => ({ kind: 'eda', offsetS, edaUs: r[0]! }));
  each(rec.temp, (r, offsetS) => ({ kind: 'temp', offsetS, tempC: r[0]! }));
  each(rec.acc, (r, offsetS) => ({
    kind: 'acc',
    offsetS,
    xG: r[0]! / E4_ACC_UNITS_PER_G,
    yG: (r[1] ?? 0) / E4_ACC_UNITS_PER_G,
    zG: (r[2] ?? 0) / E4_ACC_UNITS_PER_G,
  }));
  if (rec.ibi) {
    const shiftS = rec.ibi.startUnixS - rec.startUnixS;
    for (const b of rec.ibi.beats) out.push({ kind: 'ibi', offsetS: shiftS + b.offsetS, ibiS: b.ibiS });
  }
  return out.sort((a, b) => a.offsetS - b.offsetS);
}

/** Length of a recording: the end of its longest signal (start shift + rows / Hz). */
export function e4DurationS(rec: E4Recording): number {
  const ends = [rec.hr, rec.eda, rec.temp, rec.acc]
    .filter((s) => s !== null)
    .map((s) => s.startUnixS - rec.startUnixS + s.rows.length / s.hz);
  if (rec.ibi && rec.ibi.beats.length > 0) ends.push(rec.ibi.startUnixS - rec.startUnixS + rec.ibi.beats.at(-1)!.offsetS);
  return Math.max(0, ...ends);
}

/** A finite generator over time-ordered samples (binary search per request). */
export class RecordedSamples implements OffsetSampleGenerator {
  readonly durationS: number;
  /** `durationS` defaults to one second past the last sample so a loop never plays two samples at one instant. */
  constructor(
    private readonly samples: OffsetSample[],
    durationS?: number,
  ) {
    this.durationS = durationS ?? (samples.at(-1)?.offsetS ?? -1) + 1;
  }

  samplesBetween(fromS: number, toS: number): OffsetSample[] {
    const firstAfter = (t: number) => {
      let lo = 0;
      let hi = this.samples.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.samples[mid]!.offsetS <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    return this.samples.slice(firstAfter(fromS), firstAfter(toS));
  }
}

/** Reads an E4 folder into a replayable, finite sample generator. */
export function recordedE4(dir: string): RecordedSamples {
  const rec = readE4Recording(dir);
  return new RecordedSamples(e4ToOffsetSamples(rec), e4DurationS(rec));
}
