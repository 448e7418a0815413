/**
 * Training and leave-one-subject-out (LOSO) validation of the wearable distress model.
 *
 * The model is a class-balanced, L2-regularised logistic regression on the agent's six
 * baseline-normalised z-scores, with each weight's sign held to its physiological direction (so the
 * agent's driver texts stay true, and movement can never lower the estimate). The personal baseline
 * is learned from the first usable windows of each recording and refreshed in vetted calm windows
 * exactly as on the agent; the calm test reads the signals, not the model, so each subject's rows are
 * computed once and every fit sees the rows the agent would build.
 *
 * The class-balanced fit ranks windows but is not a probability. It is calibrated by Platt scaling
 * fitted on leave-subject-out logits: within the training subjects, each one's windows are scored by
 * a fit that never saw that subject, and the labels are regressed on those logits. The deployed
 * weights are the fit's, scaled and shifted by the calibration, so the ONNX graph stays
 * MatMul + Add + Sigmoid and its output is a calibrated probability of "in a stress task" on data
 * like the training data.
 *
 * In each LOSO fold the held-out subject contributes nothing to training or calibration: not its
 * labels, not its windows; its z-scores come from its own first minutes.
 */
import { BASELINE_FEATURES } from '../../runtime/wearable/baseline-normaliser.ts';
import { DEFAULT_BASELINE_WINDOWS, DEFAULT_WINDOW_MS, normaliseWindows } from '../../runtime/wearable/pipeline.ts';
import {
  applyPlatt,
  baseRateBrier,
  brierScore,
  expectedCalibrationError,
  fitPlatt,
  reliabilityBins,
  type PlattCalibration,
  type ReliabilityBin,
} from './calibration.ts';
import type { Dataset, SubjectWindows } from './dataset.ts';
import { fitLogistic } from './logistic.ts';
import { auc, balancedAccuracy, summarise, type Summary } from './metrics.ts';
import { mulberry32 } from '../rng.ts';

export interface TrainOptions {
  /** Seed of every random choice (the subject bootstrap of the confidence interval; the fit itself is deterministic). */
  seed: number;
  lambda: number;
  zClip: number;
  baselineWindows: number;
  windowMs: number;
  /** Required sign of each weight in BASELINE_FEATURES order (+1 may only raise distress, -1 may only lower it). */
  signs: readonly (-1 | 0 | 1)[];
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  seed: 20251124,
  lambda: 0.01,
  zClip: 6,
  baselineWindows: DEFAULT_BASELINE_WINDOWS,
  windowMs: DEFAULT_WINDOW_MS,
  // hrBpm +, rmssdMs -, sclUs +, scrPerMin +, tempC -, activityG + (restlessness is a sign of distress
  // in PAINAD; movement may lower the confidence of the heart and skin features, never the estimate).
  signs: [1, -1, 1, 1, -1, 1],
};

export interface TrainedModel {
  /** Deployed (calibrated) weights in BASELINE_FEATURES order: calibration.slope x fitted weights. */
  weights: number[];
  /** Deployed bias: calibration.slope x fitted bias + calibration.intercept. */
  bias: number;
  /** The class-balanced fit itself, before calibration. */
  fitted: { weights: number[]; bias: number };
  /** Platt scaling of the fitted logit, fitted on leave-subject-out logits of the training subjects. */
  calibration: PlattCalibration;
  /** Share of stress windows in the training data: the calibrated output's balanced operating point. */
  threshold: number;
  /** Features whose weight the sign constraint held at 0. */
  clamped: string[];
  trainingWindows: number;
  trainingPositives: number;
}

/** Windows of one subject the model trains and is evaluated on: labelled, scorable, after the personal baseline. */
export interface LabelledRows {
  subject: string;
  rows: number[][];
  labels: (0 | 1)[];
}

const rowsCache = new WeakMap<SubjectWindows, Map<string, LabelledRows>>();

/** A subject's labelled rows (computed once per subject and options: they do not depend on the model). */
export function labelledRows(subject: SubjectWindows, options: Pick<TrainOptions, 'baselineWindows' | 'zClip'>): LabelledRows {
  const key = `${options.baselineWindows}/${options.zClip}`;
  let bySubject = rowsCache.get(subject);
  if (!bySubject) rowsCache.set(subject, (bySubject = new Map()));
  const cached = bySubject.get(key);
  if (cached) return cached;
  const normalised = normaliseWindows(subject.windows, { baselineWindows: options.baselineWindows, zClip: options.zClip, predict: null });
  const out: LabelledRows = { subject: subject.subject, rows: [], labels: [] };
  normalised.forEach((w, i) => {
    const label = subject.labels[i];
    if (label === null || label === undefined || !w.scorable || !w.baselineReady) return;
    out.rows.push(w.row);
    out.labels.push(label);
  });
  bySubject.set(key, out);
  return out;
}

function fitBalanced(subjects: readonly SubjectWindows[], options: TrainOptions) {
  const rows: number[][] = [];
  const labels: (0 | 1)[] = [];
  for (const s of subjects) {
    const r = labelledRows(s, options);
    rows.push(...r.rows);
    labels.push(...r.labels);
  }
  const fit = fitLogistic(rows, labels, { lambda: options.lambda, signs: options.signs, balanced: true });
  return { fit, rows: rows.length, positives: labels.filter((l) => l === 1).length };
}

const fittedLogit = (m: { weights: number[]; bias: number }, row: readonly number[]) =>
  m.bias + m.weights.reduce((s, w, i) => s + w * row[i]!, 0);

/** Platt calibration from leave-subject-out logits within `subjects` (each scored by a fit without it). */
export function losoCalibration(subjects: readonly SubjectWindows[], options: TrainOptions): PlattCalibration {
  const logits: number[] = [];
  const labels: (0 | 1)[] = [];
  for (const held of subjects) {
    const { fit } = fitBalanced(
      subjects.filter((s) => s !== held),
      options,
    );
    const r = labelledRows(held, options);
    for (const row of r.rows) logits.push(fittedLogit(fit, row));
    labels.push(...r.labels);
  }
  return fitPlatt(logits, labels);
}

/** Fits the model on the given subjects and calibrates it leave-subject-out within them. */
export function trainModel(subjects: readonly SubjectWindows[], options: TrainOptions = DEFAULT_TRAIN_OPTIONS): TrainedModel {
  const { fit, rows, positives } = fitBalanced(subjects, options);
  const calibration = losoCalibration(subjects, options);
  return {
    weights: fit.weights.map((w) => calibration.slope * w),
    bias: calibration.slope * fit.bias + calibration.intercept,
    fitted: { weights: fit.weights, bias: fit.bias },
    calibration,
    threshold: positives / rows,
    clamped: fit.clamped.map((i) => BASELINE_FEATURES[i]!),
    trainingWindows: rows,
    trainingPositives: positives,
  };
}

/** The deployed model's output for a row (as the ONNX graph computes it, in float64). */
export function predictTrained(model: Pick<TrainedModel, 'fitted' | 'calibration'>, row: readonly number[]): number {
  return applyPlatt(model.calibration, fittedLogit(model.fitted, row));
}

export interface SubjectResult {
  subject: string;
  windows: number;
  positives: number;
  auc: number;
  balancedAccuracy: number;
}

export interface Evaluation {
  /** AUC over every held-out window pooled. */
  auc: number;
  /** Brier score of the pooled scores, and of always predicting the base rate. */
  brier: number;
  brierBaseRate: number;
  /** Expected calibration error over 10 equal-width bins. */
  ece: number;
  reliability: ReliabilityBin[];
  balancedAccuracy: number;
  subjects: number;
  windows: number;
  threshold: number;
  perSubject: SubjectResult[];
  perSubjectAuc: Summary;
  perSubjectBalancedAccuracy: Summary;
}

/** Scores already computed per subject -> pooled and per-subject metrics. */
export function summariseScores(scored: { subject: string; scores: number[]; labels: (0 | 1)[] }[], threshold: number): Evaluation {
  const all = scored.flatMap((s) => s.scores);
  const allLabels = scored.flatMap((s) => s.labels);
  const perSubject = scored.map((s) => ({
    subject: s.subject,
    windows: s.scores.length,
    positives: s.labels.filter((l) => l === 1).length,
    auc: auc(s.scores, s.labels),
    balancedAccuracy: balancedAccuracy(s.scores, s.labels, threshold),
  }));
  return {
    auc: auc(all, allLabels),
    brier: brierScore(all, allLabels),
    brierBaseRate: baseRateBrier(allLabels),
    ece: expectedCalibrationError(all, allLabels),
    reliability: reliabilityBins(all, allLabels),
    balancedAccuracy: balancedAccuracy(all, allLabels, threshold),
    subjects: scored.length,
    windows: all.length,
    threshold,
    perSubject,
    perSubjectAuc: summarise(perSubject.map((p) => p.auc)),
    perSubjectBalancedAccuracy: summarise(perSubject.map((p) => p.balancedAccuracy)),
  };
}

export interface LosoResult extends Evaluation {
  /** Fold models, one per held-out subject (their spread shows how stable the weights are). */
  folds: { subject: string; weights: number[]; bias: number; fittedWeights: number[]; calibration: PlattCalibration }[];
  /** 95% interval of the pooled AUC over a seeded bootstrap of subjects. */
  aucInterval95: [number, number];
}

/** Leave-one-subject-out: each subject scored by a model trained on all the others. */
export function leaveOneSubjectOut(dataset: Dataset, options: TrainOptions = DEFAULT_TRAIN_OPTIONS, log?: (m: string) => void): LosoResult {
  const scored: { subject: string; scores: number[]; labels: (0 | 1)[] }[] = [];
  const folds: LosoResult['folds'] = [];
  for (const held of dataset.subjects) {
    const model = trainModel(
      dataset.subjects.filter((s) => s !== held),
      options,
    );
    const r = labelledRows(held, options);
    const scores = r.rows.map((row) => predictTrained(model, row));
    scored.push({ subject: held.subject, scores, labels: r.labels });
    folds.push({
      subject: held.subject,
      weights: model.weights,
      bias: model.bias,
      fittedWeights: model.fitted.weights,
      calibration: model.calibration,
    });
    log?.(`fold ${held.subject}: AUC ${auc(scores, r.labels).toFixed(3)} over ${scores.length} windows`);
  }
  const threshold = scored.flatMap((s) => s.labels).filter((l) => l === 1).length / Math.max(1, scored.flatMap((s) => s.labels).length);
  const evaluation = summariseScores(scored, threshold);
  return { ...evaluation, folds, aucInterval95: bootstrapAuc(scored, options.seed) };
}

/** Percentile interval of the pooled AUC when whole subjects are resampled with replacement (1000 draws). */
export function bootstrapAuc(scored: { scores: number[]; labels: (0 | 1)[] }[], seed: number, draws = 1000): [number, number] {
  const rand = mulberry32(seed);
  const values: number[] = [];
  for (let d = 0; d < draws; d++) {
    const scores: number[] = [];
    const labels: (0 | 1)[] = [];
    for (let k = 0; k < scored.length; k++) {
      const s = scored[Math.floor(rand() * scored.length)]!;
      scores.push(...s.scores);
      labels.push(...s.labels);
    }
    const a = auc(scores, labels);
    if (Number.isFinite(a)) values.push(a);
  }
  values.sort((a, b) => a - b);
  return [values[Math.floor(0.025 * values.length)]!, values[Math.min(values.length - 1, Math.floor(0.975 * values.length))]!];
}
