export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}
export const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** One frame's timings through the face pipeline and fusion (ms; `cpu` is process CPU time). */
export interface FrameTiming {
  label: string;
  detect: number;
  landmarks: number;
  expression: number;
  indicators: number;
  fusion: number;
  total: number;
  model: number;
  cpu: number;
}
