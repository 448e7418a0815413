/**
 * Agreement between the face path's reading of an untransformed fixture (the reference) and of the
 * same fixture under one condition: box overlap, landmark displacement and expression agreement.
 * Pure functions, so the figures in RESULTS.md can be checked by hand.
 */
import type { Point2 } from './transforms.ts';

/** The seven expression classes, in the protocol's words. */
export type Expression = Record<string, number>;

/** The class with the highest probability (ties: the first in key order). */
export function topExpression(p: Expression): string {
  let best = '';
  let bestP = -Infinity;
  for (const [k, v] of Object.entries(p)) {
    if (v > bestP) {
      best = k;
      bestP = v;
    }
  }
  if (!best) throw new Error('expression has no classes');
  return best;
}

/** Mean absolute difference of the class probabilities (0 = identical, 2/7 at most for two one-hot vectors). */
export function expressionMeanAbsDiff(a: Expression, b: Expression): number {
  const keys = Object.keys(a);
  if (keys.length === 0 || keys.length !== Object.keys(b).length) throw new Error('expressions have different classes');
  let s = 0;
  for (const k of keys) {
    const bk = b[k];
    if (bk === undefined) throw new Error(`expression class ${k} missing`);
    s += Math.abs(a[k]! - bk);
  }
  return s / keys.length;
}

/**
 * Mean 2-D distance between landmarks found under a condition and the reference landmarks carried
 * through the condition's known transform, divided by the reference inter-ocular distance. Points
 * the transform hides (`expected[i] === null`) are left out; at least `minPoints` must remain.
 */
export function landmarkDisplacement(
  found: readonly Point2[],
  expected: readonly (Point2 | null)[],
  interOcularPx: number,
  minPoints = 50,
): { meanIod: number; points: number } {
  if (found.length !== expected.length) throw new Error(`landmark counts differ: ${found.length} vs ${expected.length}`);
  if (!(interOcularPx > 0)) throw new Error(`inter-ocular distance must be positive, got ${interOcularPx}`);
  let s = 0;
  let n = 0;
  for (let i = 0; i < found.length; i++) {
    const e = expected[i];
    if (!e) continue;
    s += Math.hypot(found[i]![0] - e[0], found[i]![1] - e[1]);
    n += 1;
  }
  if (n < minPoints) throw new Error(`only ${n} landmarks remain visible after the transform (need ${minPoints})`);
  return { meanIod: s / n / interOcularPx, points: n };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
