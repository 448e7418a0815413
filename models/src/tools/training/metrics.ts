/** Evaluation metrics for a binary score against 0/1 labels. */

/**
 * ROC AUC as the Mann-Whitney rank statistic: the probability that a random positive scores above a
 * random negative, ties counting one half (average ranks). NaN when a class is absent.
 */
export function auc(scores: readonly number[], labels: readonly (0 | 1)[]): number {
  if (scores.length !== labels.length) throw new Error('auc: scores and labels differ in length');
  const order = scores.map((s, i) => ({ s, y: labels[i]! })).sort((a, b) => a.s - b.s);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]!.s === order[i]!.s) j++;
    const avgRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let k = i; k <= j; k++) {
      if (order[k]!.y === 1) {
        rankSumPos += avgRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = order.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function confusion(scores: readonly number[], labels: readonly (0 | 1)[], threshold: number): Confusion {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  scores.forEach((s, i) => {
    const pos = s >= threshold;
    if (labels[i] === 1) {
      if (pos) c.tp++;
      else c.fn++;
    } else if (pos) c.fp++;
    else c.tn++;
  });
  return c;
}

/** Mean of sensitivity and specificity at `threshold` (score >= threshold is positive). NaN when a class is absent. */
export function balancedAccuracy(scores: readonly number[], labels: readonly (0 | 1)[], threshold: number): number {
  const c = confusion(scores, labels, threshold);
  if (c.tp + c.fn === 0 || c.tn + c.fp === 0) return Number.NaN;
  return (c.tp / (c.tp + c.fn) + c.tn / (c.tn + c.fp)) / 2;
}

export interface Summary {
  mean: number;
  sd: number;
  min: number;
  median: number;
  max: number;
}

/** Mean, sample SD, min, median and max of the finite values. */
export function summarise(values: readonly number[]): Summary {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return { mean: Number.NaN, sd: Number.NaN, min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  const mid = xs.length >> 1;
  const median = xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  return { mean, sd, min: xs[0]!, median, max: xs.at(-1)! };
}
