/**
 * Arithmetic on constant tensors at conversion time: layout permutations, transposes of weight
 * data, NumPy broadcasting and the constant folding of element-wise ops whose inputs are all
 * constant (shape arithmetic, negated PReLU slopes, ...).
 */
import { sizeOf, type ConstTensor } from './tfjs-graph.ts';

/** TF graphs are NHWC, ONNX convolutions and pools NCHW. */
export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];

export function permute<T>(xs: readonly T[], perm: readonly number[]): T[] {
  return perm.map((p) => xs[p]!);
}

/** Transposes row-major data of `shape` by `perm` (output dim i = input dim perm[i]). */
export function transposeData<T extends Float32Array | Int32Array>(data: T, shape: readonly number[], perm: readonly number[]): T {
  const rank = shape.length;
  const outShape = permute(shape, perm);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * shape[i + 1]!;
  const strideForOut = perm.map((p) => inStrides[p]!);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d]! * strideForOut[d]!;
    out[o] = data[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === 1) out.push(db);
    else if (db === 1 || da === db) out.push(da);
    else if (da === -1 || db === -1) out.push(Math.max(da, db));
    else throw new Error(`cannot broadcast [${a.join(',')}] with [${b.join(',')}]`);
  }
  return out;
}

/** Element-wise binary op on constants with NumPy broadcasting (constant folding). */
export function foldBinary(a: ConstTensor, b: ConstTensor, f: (x: number, y: number) => number): ConstTensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const n = sizeOf(shape);
  const isInt = a.dtype === 'int32' && b.dtype === 'int32';
  const data = isInt ? new Int32Array(n) : new Float32Array(n);
  const rank = shape.length;
  const strides = (s: number[]) => {
    const padded = [...new Array<number>(rank - s.length).fill(1), ...s];
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      st[i] = padded[i] === 1 ? 0 : acc;
      acc *= padded[i]!;
    }
    return st;
  };
  const sa = strides(a.shape);
  const sb = strides(b.shape);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < n; o++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia += idx[d]! * sa[d]!;
      ib += idx[d]! * sb[d]!;
    }
    data[o] = f(a.data[ia]!, b.data[ib]!);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return { dtype: isInt ? 'int32' : 'float32', shape, data };
}

export const FOLD_BINARY: Record<string, (x: number, y: number) => number> = {
  Add: (x, y) => x + y,
  AddV2: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  RealDiv: (x, y) => x / y,
  Maximum: (x, y) => Math.max(x, y),
  Minimum: (x, y) => Math.min(x, y),
};

export const FOLD_UNARY: Record<string, (x: number) => number> = {
  Neg: (x) => -x,
  Relu: (x) => Math.max(0, x),
  Relu6: (x) => Math.min(6, Math.max(0, x)),
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Tanh: (x) => Math.tanh(x),
  Exp: (x) => Math.exp(x),
  Sqrt: (x) => Math.sqrt(x),
  Rsqrt: (x) => 1 / Math.sqrt(x),
  Square: (x) => x * x,
  Identity: (x) => x,
  StopGradient: (x) => x,
};

/** Reduction axes made non-negative, deduplicated and sorted. */
export function reduceAxes(axes: number[], rank: number): number[] {
  return [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
}
