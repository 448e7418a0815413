/**
 * Training and leave-one-subject-out (LOSO) validation of the wearable distress model.
 *
 * The model is a class-balanced, L2-regularised logistic regression on the agent's six
 * baseline-normalised z-scores, with each weight's sign held to its physiological direction (so the
 * agent's driver texts stay true). The personal baseline is learned from the first usable windows
 * of each recording and refreshed in calm windows exactly as on the agent; because the refresh
 * depends on the model's own output, training alternates: fit with a frozen baseline, recompute the
 * z-scores with the refresh driven by that model, refit (REFRESH_ITERATIONS times).
 *
 * In each LOSO fold the held-out subject contributes nothing to training: not its labels, not its
 * windows; its z-scores come from its own first minutes and the fold model only.
 */
import { BASELINE_FEATURES } from '../wearable/baseline-normaliser.ts';
import { DEFAULT_BASELINE_WINDOWS, DEFAULT_WINDOW_MS, normaliseWindows } from '../wearable/pipeline.ts';
import type { Dataset, SubjectWindows } from './dataset.ts';
import { fitLogistic, predictLogistic } from './logistic.ts';
import { auc, balancedAccuracy, summarise, type Summary } from './metrics.ts';
import { mulberry32 } from './rng.ts';

export interface TrainOptions {
  /** Seed of every random choice (the subject bootstrap of the confidence interval; the fit itself is deterministic). */
  seed: number;
  lambda: number;
  zClip: number;
  baselineWindows: number;
  windowMs: number;
  refreshIterations: number;
  /**
   * Deployment calibration, applied after the class-balanced fit: logit = logitScale * (w.z + b) +
   * log(prior / (1 - prior)). It is monotone, so AUC and the balanced accuracy at the mapped
   * threshold (= prior) are those of the fitted model. It is a product choice, not learned from the
   * data (see MODEL_CARD.md): the prior puts a patient at their own baseline near 0.1, and the scale
   * lets a large, sustained, multi-signal deviation reach the alerting range (> 0.8).
   */
  logitScale: number;
  prior: number;
  /** Required sign of each weight in BASELINE_FEATURES order (+1 raises distress, -1 lowers it). */
  signs: readonly (-1 | 0 | 1)[];
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  seed: 20251124,
  lambda: 0.01,
  zClip: 6,
  baselineWindows: DEFAULT_BASELINE_WINDOWS,
  windowMs: DEFAULT_WINDOW_MS,
  refreshIterations: 2,
  logitScale: 3,
  prior: 0.12,
  // hrBpm +, rmssdMs -, sclUs +, scrPerMin +, tempC -, activityG - (movement explains arousal away).
  signs: [1, -1, 1, 1, -1, -1],
};

export interface TrainedModel {
  /** In BASELINE_FEATURES order. */
  weights: number[];
  /** Deployed bias: logitScale * fitted bias + log prior odds. */
  bias: number;
  /** The class-balanced fit itself, before the deployment calibration. */
  fitted: { weights: number[]; bias: number };
  /** Balanced operating point on the deployed output. */
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

export function labelledRows(
  subject: SubjectWindows,
  options: Pick<TrainOptions, 'baselineWindows' | 'zClip'>,
  predict: ((row: readonly number[]) => number) | null,
): LabelledRows & { scores: number[] } {
  const normalised = normaliseWindows(subject.windows, { baselineWindows: options.baselineWindows, zClip: options.zClip, predict });
  const out = { subject: subject.subject, rows: [] as number[][], labels: [] as (0 | 1)[], scores: [] as number[] };
  normalised.forEach((w, i) => {
    const label = subject.labels[i];
    if (label === null || label === undefined || !w.scorable || !w.baselineReady) return;
    out.rows.push(w.row);
    out.labels.push(label);
    out.scores.push(w.distress ?? Number.NaN);
  });
  return out;
}

const predictorOf = (m: { weights: number[]; bias: number }) => (row: readonly number[]) => predictLogistic(m, row);

/** Fits the model on the given subjects (alternating fit and baseline refresh). */
export function trainModel(subjects: readonly SubjectWindows[], options: TrainOptions = DEFAULT_TRAIN_OPTIONS): TrainedModel {
  let model: TrainedModel | null = null;
  for (let iteration = 0; iteration <= options.refreshIterations; iteration++) {
    const predict = model ? predictorOf(model) : null;
    const rows: number[][] = [];
    const labels: (0 | 1)[] = [];
    for (const s of subjects) {
      const r = labelledRows(s, options, predict);
      rows.push(...r.rows);
      labels.push(...r.labels);
    }
    const fit = fitLogistic(rows, labels, { lambda: options.lambda, signs: options.signs, balanced: true });
    model = {
      weights: fit.weights.map((w) => options.logitScale * w),
      bias: options.logitScale * fit.bias + Math.log(options.prior / (1 - options.prior)),
      fitted: { weights: fit.weights, bias: fit.bias },
      threshold: options.prior,
      clamped: fit.clamped.map((i) => BASELINE_FEATURES[i]!),
      trainingWindows: rows.length,
      trainingPositives: labels.filter((l) => l === 1).length,
    };
  }
  return model!;
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
  folds: { subject: string; weights: number[]; bias: number; fittedWeights: number[] }[];
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
    const r = labelledRows(held, options, predictorOf(model));
    scored.push({ subject: held.subject, scores: r.scores, labels: r.labels });
    folds.push({ subject: held.subject, weights: model.weights, bias: model.bias, fittedWeights: model.fitted.weights });
    log?.(`fold ${held.subject}: AUC ${auc(r.scores, r.labels).toFixed(3)} over ${r.scores.length} windows`);
  }
  const evaluation = summariseScores(scored, options.prior);
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
