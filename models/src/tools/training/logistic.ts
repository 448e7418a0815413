/**
 * L2-regularised, class-balanced logistic regression fitted by Newton's method (IRLS), with optional
 * sign constraints so each weight keeps the physiological direction its driver text describes.
 * Everything is plain float64 arithmetic in a fixed order: the same data always gives the same
 * weights, bit for bit.
 */

export interface LogisticFitOptions {
  /** L2 penalty on the weights (not the bias), on the scale of the mean per-sample loss. */
  lambda: number;
  /** Per feature: +1 weight must be >= 0, -1 must be <= 0, 0 free. */
  signs?: readonly (-1 | 0 | 1)[];
  /** Weight the classes so each contributes half of the loss (default true). */
  balanced?: boolean;
  maxIterations?: number;
  tolerance?: number;
}

export interface LogisticFit {
  weights: number[];
  bias: number;
  iterations: number;
  /** Features held at 0 because their unconstrained weight had the wrong sign. */
  clamped: number[];
  loss: number;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** Solves A x = b (A symmetric positive definite, small) by Gaussian elimination with partial pivoting. */
export function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    if (Math.abs(pivot) < 1e-300) throw new Error('solve: singular system');
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / pivot;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

function sampleWeights(y: readonly (0 | 1)[], balanced: boolean): number[] {
  const nPos = y.filter((v) => v === 1).length;
  const nNeg = y.length - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error('logistic fit needs both classes');
  return y.map((v) => (balanced ? (v === 1 ? y.length / (2 * nPos) : y.length / (2 * nNeg)) : 1));
}

/** Newton iterations on the free features only; the others stay at 0. */
function newton(
  x: readonly (readonly number[])[],
  y: readonly (0 | 1)[],
  v: readonly number[],
  free: readonly number[],
  lambda: number,
  maxIterations: number,
  tolerance: number,
): { w: number[]; b: number; iterations: number; loss: number } {
  const d = free.length + 1; // last parameter is the bias
  const theta = new Array<number>(d).fill(0);
  const vSum = v.reduce((a, b) => a + b, 0);
  const lossOf = (t: number[]) => {
    let l = 0;
    x.forEach((row, i) => {
      let z = t[d - 1]!;
      free.forEach((f, k) => (z += t[k]! * row[f]!));
      // log(1 + e^z) - y z, computed stably.
      const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      l += v[i]! * (softplus - y[i]! * z);
    });
    let penalty = 0;
    for (let k = 0; k < d - 1; k++) penalty += t[k]! ** 2;
    return l / vSum + (lambda / 2) * penalty;
  };
  let loss = lossOf(theta);
  let it = 0;
  for (; it < maxIterations; it++) {
    const grad = new Array<number>(d).fill(0);
    const hess = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    x.forEach((row, i) => {
      const feats = [...free.map((f) => row[f]!), 1];
      let z = 0;
      for (let k = 0; k < d; k++) z += theta[k]! * feats[k]!;
      const p = sigmoid(z);
      const r = (v[i]! * (p - y[i]!)) / vSum;
      const h = (v[i]! * p * (1 - p)) / vSum;
      for (let a = 0; a < d; a++) {
        grad[a]! += r * feats[a]!;
        for (let b = 0; b <= a; b++) hess[a]![b]! += h * feats[a]! * feats[b]!;
      }
    });
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) hess[b]![a] = hess[a]![b]!;
    for (let k = 0; k < d - 1; k++) {
      grad[k]! += lambda * theta[k]!;
      hess[k]![k]! += lambda;
    }
    hess[d - 1]![d - 1]! += 1e-9; // keeps the bias row well-posed when every feature is clamped
    const step = solve(hess, grad);
    // Damped Newton: halve the step until the loss does not increase.
    let scale = 1;
    let next = theta.map((t, k) => t - scale * step[k]!);
    let nextLoss = lossOf(next);
    while (nextLoss > loss + 1e-15 && scale > 1e-6) {
      scale /= 2;
      next = theta.map((t, k) => t - scale * step[k]!);
      nextLoss = lossOf(next);
    }
    const change = Math.max(...next.map((t, k) => Math.abs(t - theta[k]!)));
    for (let k = 0; k < d; k++) theta[k] = next[k]!;
    loss = nextLoss;
    if (change < tolerance) {
      it++;
      break;
    }
  }
  return { w: theta.slice(0, d - 1), b: theta[d - 1]!, iterations: it, loss };
}

export function fitLogistic(x: readonly (readonly number[])[], y: readonly (0 | 1)[], options: LogisticFitOptions): LogisticFit {
  if (x.length !== y.length || x.length === 0) throw new Error('fitLogistic: need equal, non-empty x and y');
  const nFeatures = x[0]!.length;
  const signs = options.signs ?? new Array<0>(nFeatures).fill(0);
  const v = sampleWeights(y, options.balanced ?? true);
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  let free = Array.from({ length: nFeatures }, (_, i) => i);
  const clamped: number[] = [];
  for (;;) {
    const fit = newton(x, y, v, free, options.lambda, maxIterations, tolerance);
    // Active set: drop the feature whose weight most violates its sign, refit without it.
    let worst = -1;
    let worstViolation = 0;
    free.forEach((f, k) => {
      const violation = -signs[f]! * fit.w[k]!;
      if (violation > worstViolation) {
        worstViolation = violation;
        worst = f;
      }
    });
    if (worst < 0) {
      const weights = new Array<number>(nFeatures).fill(0);
      free.forEach((f, k) => (weights[f] = fit.w[k]!));
      return { weights, bias: fit.b, iterations: fit.iterations, clamped: clamped.sort((a, b) => a - b), loss: fit.loss };
    }
    clamped.push(worst);
    free = free.filter((f) => f !== worst);
  }
}

export function predictLogistic(model: { weights: readonly number[]; bias: number }, row: readonly number[]): number {
  let z = model.bias;
  model.weights.forEach((w, i) => (z += w * row[i]!));
  return sigmoid(z);
}
