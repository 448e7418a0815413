/** Small statistics for the alert evaluation: medians and an exact Poisson interval for alert counts. */

export function median(values: readonly number[]): number | null {
  const xs = [...values].sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}

/** P(X <= k) for X ~ Poisson(lambda). */
function poissonCdf(k: number, lambda: number): number {
  let term = Math.exp(-lambda);
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= lambda / i;
    sum += term;
  }
  return sum;
}

/** Bisection for the lambda where a decreasing function of lambda crosses `target`. */
function solveDecreasing(f: (lambda: number) => number, target: number): number {
  let lo = 0;
  let hi = 1000;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Exact (Garwood) 95% interval of a Poisson mean given `count` events observed. */
export function poissonInterval95(count: number): [number, number] {
  const lower = count === 0 ? 0 : solveIncreasing((l) => 1 - poissonCdf(count - 1, l), 0.025);
  const upper = solveDecreasing((l) => poissonCdf(count, l), 0.025);
  return [lower, upper];
}

/** Bisection for the lambda where an increasing function of lambda crosses `target`. */
function solveIncreasing(f: (lambda: number) => number, target: number): number {
  return solveDecreasing((l) => -f(l), -target);
}
