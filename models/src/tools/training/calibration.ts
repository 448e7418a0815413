/**
 * Calibration of the wearable model's output: Platt scaling fitted on leave-subject-out logits, and
 * the measures that say whether a score is a probability (Brier score against the base-rate
 * predictor, expected calibration error, reliability bins for the model card's diagram).
 */
import { fitLogistic } from './logistic.ts';

export interface PlattCalibration {
  /** Calibrated logit = slope * logit + intercept. */
  slope: number;
  intercept: number;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export const logitOf = (p: number) => Math.log(p / (1 - p));

/**
 * Fits Platt scaling: a one-feature logistic regression of the labels on the logits, unweighted (so
 * the base rate of the data is kept) and barely regularised. Needs both classes.
 */
export function fitPlatt(logits: readonly number[], labels: readonly (0 | 1)[]): PlattCalibration {
  const fit = fitLogistic(
    logits.map((l) => [l]),
    labels,
    { lambda: 1e-6, balanced: false },
  );
  return { slope: fit.weights[0]!, intercept: fit.bias };
}

export function applyPlatt(c: PlattCalibration, logit: number): number {
  return sigmoid(c.slope * logit + c.intercept);
}

/** Mean squared difference between the probability and the 0/1 outcome. */
export function brierScore(probabilities: readonly number[], labels: readonly (0 | 1)[]): number {
  if (probabilities.length === 0) return Number.NaN;
  return probabilities.reduce((s, p, i) => s + (p - labels[i]!) ** 2, 0) / probabilities.length;
}

/** Brier score of always predicting the base rate: rate x (1 - rate). */
export function baseRateBrier(labels: readonly (0 | 1)[]): number {
  if (labels.length === 0) return Number.NaN;
  const rate = labels.filter((l) => l === 1).length / labels.length;
  return rate * (1 - rate);
}

export interface ReliabilityBin {
  /** Lower and upper edge of the predicted probability. */
  from: number;
  to: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Equal-width bins of the predicted probability (empty bins are left out). */
export function reliabilityBins(probabilities: readonly number[], labels: readonly (0 | 1)[], bins = 10): ReliabilityBin[] {
  const acc = Array.from({ length: bins }, () => ({ count: 0, sumP: 0, sumY: 0 }));
  probabilities.forEach((p, i) => {
    const b = acc[Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))]!;
    b.count++;
    b.sumP += p;
    b.sumY += labels[i]!;
  });
  return acc.flatMap((b, k) =>
    b.count === 0
      ? []
      : [{ from: k / bins, to: (k + 1) / bins, count: b.count, meanPredicted: b.sumP / b.count, observedRate: b.sumY / b.count }],
  );
}

/** Expected calibration error: the count-weighted mean gap between predicted and observed rate over the bins. */
export function expectedCalibrationError(probabilities: readonly number[], labels: readonly (0 | 1)[], bins = 10): number {
  if (probabilities.length === 0) return Number.NaN;
  return (
    reliabilityBins(probabilities, labels, bins).reduce((s, b) => s + b.count * Math.abs(b.meanPredicted - b.observedRate), 0) /
    probabilities.length
  );
}
