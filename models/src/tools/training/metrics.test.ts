import { describe, expect, it } from 'vitest';
import { auc, balancedAccuracy, confusion, summarise } from './metrics.ts';

describe('AUC (rank statistic)', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 when every score ties', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
  });

  it('counts pairs by hand: 3 positives x 2 negatives with one tie', () => {
    // positives 0.9, 0.4, 0.3; negatives 0.5, 0.3. Pairs won: 0.9 beats both (2), 0.4 beats 0.3 (1),
    // 0.3 ties 0.3 (0.5) -> 3.5 of 6.
    expect(auc([0.9, 0.4, 0.3, 0.5, 0.3], [1, 1, 1, 0, 0])).toBeCloseTo(3.5 / 6, 12);
  });

  it('does not depend on the order of the windows and is NaN without both classes', () => {
    const s = [0.3, 0.7, 0.1, 0.9, 0.5, 0.5];
    const y = [0, 1, 0, 1, 1, 0] as const;
    const perm = [5, 2, 0, 4, 1, 3];
    expect(
      auc(
        perm.map((i) => s[i]!),
        perm.map((i) => y[i]!),
      ),
    ).toBe(auc(s, [...y]));
    expect(auc([0.1, 0.2], [1, 1])).toBeNaN();
  });
});

describe('balanced accuracy', () => {
  it('is the mean of sensitivity and specificity at the threshold (score >= threshold is positive)', () => {
    const scores = [0.9, 0.6, 0.4, 0.2, 0.7, 0.1, 0.3, 0.5];
    const labels = [1, 1, 1, 1, 0, 0, 0, 0] as (0 | 1)[];
    expect(confusion(scores, labels, 0.5)).toEqual({ tp: 2, fn: 2, fp: 2, tn: 2 });
    expect(balancedAccuracy(scores, labels, 0.5)).toBe(0.5);
    // threshold 0.35: TP 3/4, TN 2/4 -> 0.625
    expect(balancedAccuracy(scores, labels, 0.35)).toBe(0.625);
    // Unaffected by class imbalance: 1 positive found, 9 of 9 negatives right -> 1.
    expect(balancedAccuracy([0.9, ...Array(9).fill(0.1)], [1, ...Array(9).fill(0)], 0.5)).toBe(1);
  });
});

describe('summarise', () => {
  it('gives mean, sample SD, min, median and max of the finite values', () => {
    expect(summarise([1, 2, 3, 4, Number.NaN])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3), min: 1, median: 2.5, max: 4 });
  });
});
