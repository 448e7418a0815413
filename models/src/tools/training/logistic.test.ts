import { describe, expect, it } from 'vitest';
import { fitLogistic, predictLogistic, solve } from './logistic.ts';
import { mulberry32 } from '../rng.ts';

/** Samples from a known logistic model: logit = 1.5 x0 - 1 x1 + 0 x2 - 0.5. */
function synthetic(n: number, seed: number): { x: number[][]; y: (0 | 1)[] } {
  const rand = mulberry32(seed);
  const x: number[][] = [];
  const y: (0 | 1)[] = [];
  for (let i = 0; i < n; i++) {
    const row = [rand() * 4 - 2, rand() * 4 - 2, rand() * 4 - 2];
    const p = 1 / (1 + Math.exp(-(1.5 * row[0]! - row[1]! - 0.5)));
    x.push(row);
    y.push(rand() < p ? 1 : 0);
  }
  return { x, y };
}

describe('logistic regression (Newton/IRLS)', () => {
  it('solves a small linear system', () => {
    expect(
      solve(
        [
          [2, 1],
          [1, 3],
        ],
        [3, 5],
      ).map((v) => Math.round(v * 1e12) / 1e12),
    ).toEqual([0.8, 1.4]);
  });

  it('recovers the weights of a known model', () => {
    const { x, y } = synthetic(20_000, 1);
    const fit = fitLogistic(x, y, { lambda: 0, balanced: false });
    expect(fit.weights[0]).toBeCloseTo(1.5, 1);
    expect(fit.weights[1]).toBeCloseTo(-1, 1);
    expect(Math.abs(fit.weights[2]!)).toBeLessThan(0.06);
    expect(fit.bias).toBeCloseTo(-0.5, 1);
    expect(predictLogistic(fit, [0, 0, 0])).toBeCloseTo(1 / (1 + Math.exp(0.5)), 1);
  });

  it('holds a weight at 0 when the data push it against its required sign', () => {
    const { x, y } = synthetic(5000, 2);
    const fit = fitLogistic(x, y, { lambda: 0.01, signs: [1, 1, 0] });
    expect(fit.weights[1]).toBe(0);
    expect(fit.clamped).toEqual([1]);
    expect(fit.weights[0]!).toBeGreaterThan(0.5);
  });

  it('is deterministic: the same data give bit-identical weights', () => {
    const { x, y } = synthetic(3000, 3);
    const a = fitLogistic(x, y, { lambda: 0.01, signs: [1, -1, 0] });
    const b = fitLogistic(
      x.map((r) => [...r]),
      [...y],
      { lambda: 0.01, signs: [1, -1, 0] },
    );
    expect(b).toEqual(a);
  });
});
