/** The small numeric helpers the face window and the neutral-face vetting both summarise frames with. */

/** Mean of the values; 0 for none (callers report a missing signal separately). */
export const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const clamp01 = (x: number) => Math.max(0, Math.min(1, x));
