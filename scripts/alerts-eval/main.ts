/**
 * `npm run alerts:eval -- --data <dir>`: replays every subject of a Stress-Predict-layout folder
 * through the agent's wearable pipeline and fusion and the server's sustained-distress rule, on
 * recording time, and prints one JSON line last (progress goes to stderr):
 *
 *   {"subjects", "restHours", "falseAlerts", "falseAlertsPerPatientDay", "stressPeriods", "detected",
 *    "sensitivity", "medianTimeToAlertS", "perTask", "brier", "brierBaseRate", "ece", "auc", "perSubject", ...}
 *
 * Subjects the committed model was trained on are scored leave-subject-out (by a model trained the
 * same way on the other subjects present); any other subject is scored by the committed model.
 * Options: --resolve-after-s N (the simulated nurse resolves an alert N s after it opened, default
 * 600), --json <file> (also write the full result there), --sweep (every rule setting of sweep.ts,
 * its Pareto front on stderr, and the trade-off and reliability diagrams as SVG in --svg-dir,
 * models/wearable-distress by default).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { e4ToOffsetSamples, loadWearableWeights, readE4Recording } from '@attune/models';
import { argOption, dataDirForCommand, DataDirError, listSubjects, loadDataset, parseLabelsCsv } from '@attune/models/training';
import { ALERT_SENSITIVITIES, distressRuleFor } from '@attune/server/distress-rule';
import { evaluateWindows, type AlertEvaluation } from './evaluation.ts';
import { modelsForSubjects } from './fold-models.ts';
import { replayRecording, type ReplayedWindow } from './replay.ts';
import { reliabilitySvg, tradeOffSvg } from './charts.ts';
import { sweepRule, type SweepPoint } from './sweep.ts';

export interface ReplayedSubject {
  subject: string;
  /** How the subject was scored. */
  scoredBy: 'leave-subject-out' | 'committed model';
  windows: ReplayedWindow[];
  /** Label of each second from the recording start (null: unlabelled). */
  labels: (0 | 1 | null)[];
}

const log = (m: string) => process.stderr.write(`${m}\n`);

/** Replays every subject of the folder (the slow part: a few seconds per subject). */
export async function replayFolder(dataDir: string, options: { windowMs: number; baselineWindows: number }): Promise<ReplayedSubject[]> {
  const labelsPath = join(dataDir, 'labels.csv');
  const labels = parseLabelsCsv(readFileSync(labelsPath, 'utf8'), labelsPath);
  const subjects = listSubjects(dataDir, labels);
  if (subjects.length === 0) throw new DataDirError(`${dataDir}: no subject has both raw/SXX and rows in labels.csv`);
  const trainedOn = new Set((loadWearableWeights().training?.subjects as string[] | undefined) ?? []);
  const seen = subjects.filter((s) => trainedOn.has(s));
  log(`${subjects.length} subjects; ${seen.length} were in the committed model's training data and are scored leave-subject-out`);
  const dataset =
    seen.length > 0 ? loadDataset(dataDir, { only: seen, windowMs: options.windowMs, log: (m) => log(`  features ${m}`) }) : null;
  if (dataset && seen.length < trainedOn.size) {
    log(
      `note: ${trainedOn.size - seen.length} training subjects are not in this folder; their folds train on the ${seen.length - 1} others present`,
    );
  }
  const models = await modelsForSubjects(subjects, dataset, log);
  const out: ReplayedSubject[] = [];
  try {
    for (const [i, subject] of subjects.entries()) {
      const rec = readE4Recording(join(dataDir, 'raw', subject));
      const samples = e4ToOffsetSamples(rec);
      const model = models.get(subject)!;
      let lastPct = -1;
      const windows = await replayRecording(model.predictor, model.weights, samples, {
        ...options,
        onWindow: (done, total) => {
          const pct = Math.floor((100 * done) / Math.max(1, total));
          if (pct % 25 === 0 && pct !== lastPct) {
            lastPct = pct;
            process.stderr.write(`\r[${i + 1}/${subjects.length}] ${subject} (${model.scoredBy}): ${pct}%   `);
          }
        },
      });
      process.stderr.write('\n');
      const secondLabels = labels.get(subject)!;
      const durationS = Math.ceil(windows.at(-1)?.endS ?? 0);
      out.push({
        subject,
        scoredBy: model.scoredBy,
        windows,
        labels: Array.from({ length: durationS }, (_, t) => secondLabels.get(Math.floor(rec.startUnixS) + t) ?? null),
      });
    }
  } finally {
    await Promise.all([...models.values()].map((m) => m.release()));
  }
  return out;
}

export async function main(argv: readonly string[]): Promise<number> {
  const dataDir = dataDirForCommand(argv, 'alerts:eval');
  if (dataDir === null) return 2;
  const resolveAfterS = Number(argOption(argv, 'resolve-after-s') ?? 600);
  const started = performance.now();
  const replayed = await replayFolder(dataDir, { windowMs: 5000, baselineWindows: 24 });
  const result = evaluateWindows(replayed, { resolveAfterS });
  log(`replayed ${replayed.length} subjects in ${Math.round((performance.now() - started) / 1000)} s`);
  if (argv.includes('--sweep')) {
    const points = sweepRule(replayed, resolveAfterS);
    const marks = ALERT_SENSITIVITIES.map((label) => {
      const rule = distressRuleFor(label);
      const point = points.find((p) => p.rule.allowanceLogOdds === rule.allowanceLogOdds && p.rule.openEvidence === rule.openEvidence);
      return point ? { label, point } : null;
    }).filter((m) => m !== null);
    const svgDir = argOption(argv, 'svg-dir') ?? 'models/wearable-distress';
    const svgPath = join(svgDir, 'alert-trade-off.svg');
    writeFileSync(svgPath, tradeOffSvg(points, marks));
    const reliabilityPath = join(svgDir, 'reliability.svg');
    writeFileSync(reliabilityPath, reliabilitySvg(result.reliability, `Wearable score, ${result.subjects} subjects, leave-subject-out`));
    log(`wrote ${reliabilityPath}`);
    log(`sweep: ${points.length} rule settings, Pareto front:`);
    for (const p of points.filter((q) => q.pareto).sort((a, b) => a.falseAlerts - b.falseAlerts)) {
      log(
        `  allowance ${p.rule.allowanceLogOdds} open ${p.rule.openEvidence}: ${p.falseAlerts} false (${p.falseAlertsPerPatientDay}/day), ` +
          `${p.detected} detected (${Math.round(p.sensitivity * 100)}%), median ${p.medianTimeToAlertS ?? '-'} s`,
      );
    }
    log(`wrote ${svgPath}`);
    (result as AlertEvaluation & { sweep?: SweepPoint[] }).sweep = points;
  }
  const jsonPath = argOption(argv, 'json');
  if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
