/**
 * Per-window wearable features. Samples are buffered in memory only, for at most the trailing
 * context below, and discarded at once when the wearable's consent is withdrawn.
 */
import type { WearableSample } from './samples.ts';

/**
 * HRV and SCR rate are computed over a trailing 30 s: a 5 s window holds only ~5 beats and at most
 * one or two SCRs, too few for RMSSD or a rate (ultra-short HRV needs >= 10-30 s; Shaffer &
 * Ginsberg 2017, Front Public Health 5:258). Level features (HR, SCL, temperature, activity) use
 * the window itself.
 */
export const TRAILING_CONTEXT_MS = 30_000;
/** SCR rate only from a trailing EDA span of at least this fraction of the context (25 s of 30 s). */
export const SCR_MIN_SPAN_FRACTION = 5 / 6;
/** Physiologically plausible IBI range (30..200 bpm). */
export const IBI_MIN_S = 0.3;
export const IBI_MAX_S = 2.0;
/** An IBI differing from its predecessor by more than this fraction is an artifact (missed/extra beat). */
export const IBI_MAX_SUCCESSIVE_CHANGE = 0.2;
/** Minimum rise from the preceding trough for a skin conductance response (Boucsein 2012 uses 0.01-0.05 uS). */
export const SCR_MIN_AMPLITUDE_US = 0.05;
/**
 * Below this wrist temperature the sensor is reading room air, not skin. Worn wrists in a cool room
 * sit well below core-like 33 degC: in the Stress-Predict E4 sessions 7 of 27 worn recordings stay at
 * 26-29 degC for the whole hour (with normal EDA and heart rate), while bands taken off fall to
 * 21-25 degC within a minute. (v1 used 30 degC and wrongly called those 7 people off the wrist.)
 */
export const ON_WRIST_MIN_TEMP_C = 25;
/** Skin in contact always conducts a little; ~0 uS means no contact (E4 bands taken off read < 0.02 uS). */
export const ON_WRIST_MIN_EDA_US = 0.05;
/**
 * An EDA trace whose 30 s range stays below this is flat-lined (sensor fault, saturation, lost
 * contact). The E4 quantises EDA in steps of about 0.0013 uS; in the 27 Stress-Predict recordings
 * the smallest 30 s range of any worn stretch is 0.0026 uS (two steps), so real skin never reads flat.
 */
export const EDA_FLAT_RANGE_US = 0.002;

export interface WindowFeatures {
  windowStartMs: number;
  windowEndMs: number;
  hrBpm: number | null;
  sdnnMs: number | null;
  rmssdMs: number | null;
  sclUs: number | null;
  scrPerMin: number | null;
  tempC: number | null;
  activityG: number | null;
  /**
   * Range (max - min) of skin conductance over the trailing 30 s, microsiemens; null without 25 s of
   * EDA. A range within one E4 quantisation step (< EDA_FLAT_RANGE_US) means a flat-lined sensor:
   * real skin, even a calm and poorly responsive one, moves by at least two steps in 30 s.
   */
  edaRangeUs?: number | null;
  /** Fraction of (stream, second) cells of the window holding at least one sample, 0..1. */
  coverage: number;
  onWrist: boolean;
  /** Number of samples of any kind inside the window. */
  sampleCount: number;
  ibiAccepted: number;
  ibiRejected: number;
}

const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

export interface IbiFilterResult {
  accepted: { tMs: number; ibiS: number }[];
  rejected: number;
}

/**
 * Range filter, then successive-difference filter: an interval is kept only if it is within 20% of
 * a neighbouring in-range interval. A missed beat (one interval twice as long) differs from both
 * neighbours and is dropped, even as the very first interval of a series.
 */
export function filterIbis(ibis: { tMs: number; ibiS: number }[]): IbiFilterResult {
  const inRange = ibis.filter((b) => b.ibiS >= IBI_MIN_S && b.ibiS <= IBI_MAX_S);
  const agrees = (a: number, b: number) => Math.abs(a - b) / b <= IBI_MAX_SUCCESSIVE_CHANGE;
  const accepted = inRange.filter((b, i) => {
    const prev = inRange[i - 1];
    const next = inRange[i + 1];
    if (!prev && !next) return false; // a lone interval cannot be checked
    return (prev !== undefined && agrees(b.ibiS, prev.ibiS)) || (next !== undefined && agrees(next.ibiS, b.ibiS));
  });
  return { accepted, rejected: ibis.length - accepted.length };
}

/** SDNN and RMSSD in ms; RMSSD uses only pairs of intervals that are adjacent beats (no gap between them). */
export function hrvMs(accepted: { tMs: number; ibiS: number }[]): { sdnnMs: number | null; rmssdMs: number | null } {
  let sdnnMs: number | null = null;
  if (accepted.length >= 3) {
    const m = mean(accepted.map((b) => b.ibiS))!;
    const variance = accepted.reduce((a, b) => a + (b.ibiS - m) ** 2, 0) / (accepted.length - 1);
    sdnnMs = Math.sqrt(variance) * 1000;
  }
  const diffs: number[] = [];
  for (let i = 1; i < accepted.length; i++) {
    const a = accepted[i - 1]!;
    const b = accepted[i]!;
    // b ends one interval after a ends only if no beat was dropped in between (100 ms tolerance for timestamp rounding).
    // Pairs that jump more than 20% are not used either (successive-difference artifact rule).
    const adjacent = Math.abs((b.tMs - a.tMs) / 1000 - b.ibiS) < 0.1;
    if (adjacent && Math.abs(b.ibiS - a.ibiS) / a.ibiS <= IBI_MAX_SUCCESSIVE_CHANGE) diffs.push((b.ibiS - a.ibiS) * 1000);
  }
  const rmssdMs = diffs.length >= 2 ? Math.sqrt(diffs.reduce((a, d) => a + d * d, 0) / diffs.length) : null;
  return { sdnnMs, rmssdMs };
}

/** Counts SCRs: local maxima of lightly smoothed EDA rising at least SCR_MIN_AMPLITUDE_US above the trough since the last one. */
export function countScrs(eda: { tMs: number; edaUs: number }[]): number {
  if (eda.length < 3) return 0;
  // 3-sample moving average (0.75 s at 4 Hz) removes quantisation noise without flattening SCRs (rise ~1 s).
  const smooth = eda.map((_, i) => {
    const lo = Math.max(0, i - 1);
    const hi = Math.min(eda.length - 1, i + 1);
    let sum = 0;
    for (let j = lo; j <= hi; j++) sum += eda[j]!.edaUs;
    return sum / (hi - lo + 1);
  });
  let count = 0;
  let troughUs = smooth[0]!;
  for (let i = 1; i < smooth.length - 1; i++) {
    const v = smooth[i]!;
    if (v < troughUs) troughUs = v;
    const isPeak = v >= smooth[i - 1]! && v > smooth[i + 1]!;
    if (isPeak && v - troughUs >= SCR_MIN_AMPLITUDE_US) {
      count++;
      troughUs = v;
    }
  }
  return count;
}

/** Buffers samples for the trailing context and computes features per window. */
export class WindowFeatureExtractor {
  private samples: WearableSample[] = [];

  constructor(private readonly contextMs: number = TRAILING_CONTEXT_MS) {}

  add(samples: readonly WearableSample[]): void {
    for (const s of samples) this.samples.push(s);
  }

  /** Drops every buffered sample (consent withdrawn, or a new consent version starts a clean window). */
  clear(): void {
    this.samples = [];
  }

  bufferedCount(): number {
    return this.samples.length;
  }

  compute(windowStartMs: number, windowEndMs: number): WindowFeatures {
    const keepFromMs = Math.min(windowStartMs, windowEndMs - this.contextMs);
    this.samples = this.samples.filter((s) => s.tMs >= keepFromMs);
    const inWindow = this.samples.filter((s) => s.tMs >= windowStartMs && s.tMs < windowEndMs);
    const contextFromMs = windowEndMs - this.contextMs;
    const inContext = this.samples.filter((s) => s.tMs >= contextFromMs && s.tMs < windowEndMs);

    const of = <K extends WearableSample['kind']>(list: WearableSample[], kind: K) =>
      list.filter((s): s is Extract<WearableSample, { kind: K }> => s.kind === kind);

    const hrSamples = of(inWindow, 'hr').filter((s) => s.hrBpm > 0);
    const { accepted, rejected } = filterIbis(of(inContext, 'ibi'));
    const acceptedInWindow = accepted.filter((b) => b.tMs >= windowStartMs);
    const meanIbiS = mean(acceptedInWindow.map((b) => b.ibiS));
    // E4 HR.csv is already a 1 Hz average; without it, fall back to the window's clean IBIs.
    const hrBpm = hrSamples.length > 0 ? mean(hrSamples.map((s) => s.hrBpm)) : meanIbiS ? 60 / meanIbiS : null;
    const { sdnnMs, rmssdMs } = hrvMs(accepted);

    const edaWindow = of(inWindow, 'eda');
    const sclUs = mean(edaWindow.map((s) => s.edaUs));
    const edaContext = of(inContext, 'eda');
    const edaSpanMs = edaContext.length > 1 ? edaContext.at(-1)!.tMs - edaContext[0]!.tMs : 0;
    // A rate needs most of the trailing context: over 10 s one chance SCR already reads as 6/min, which
    // inflated the personal baseline's SD at the start of every stay (and hid real rises behind it).
    const edaSpanLongEnough = edaSpanMs >= SCR_MIN_SPAN_FRACTION * this.contextMs;
    const scrPerMin = edaSpanLongEnough ? Math.min(60, countScrs(edaContext) / (edaSpanMs / 60_000)) : null;
    let edaRangeUs: number | null = null;
    if (edaSpanLongEnough) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const s of edaContext) {
        lo = Math.min(lo, s.edaUs);
        hi = Math.max(hi, s.edaUs);
      }
      edaRangeUs = hi - lo;
    }

    const tempC = mean(of(inWindow, 'temp').map((s) => s.tempC));
    const activityG = mean(of(inWindow, 'acc').map((s) => Math.abs(Math.hypot(s.xG, s.yG, s.zG) - 1)));

    const onWrist =
      (tempC !== null || sclUs !== null) &&
      (tempC === null || tempC >= ON_WRIST_MIN_TEMP_C) &&
      (sclUs === null || sclUs >= ON_WRIST_MIN_EDA_US);

    return {
      windowStartMs,
      windowEndMs,
      hrBpm,
      sdnnMs,
      rmssdMs,
      sclUs,
      scrPerMin,
      tempC,
      activityG,
      edaRangeUs,
      coverage: coverageOf(inWindow, windowStartMs, windowEndMs),
      onWrist,
      sampleCount: inWindow.length,
      ibiAccepted: accepted.length,
      ibiRejected: rejected,
    };
  }
}

/** Streams that make a complete wearable picture; heart counts HR or IBI samples. */
const COVERAGE_STREAMS = ['heart', 'eda', 'temp', 'acc'] as const;

function coverageOf(inWindow: WearableSample[], startMs: number, endMs: number): number {
  const binMs = Math.min(1000, endMs - startMs);
  const bins = Math.max(1, Math.round((endMs - startMs) / binMs));
  const seen = new Set<string>();
  for (const s of inWindow) {
    const stream = s.kind === 'hr' || s.kind === 'ibi' ? 'heart' : s.kind;
    const bin = Math.min(bins - 1, Math.floor((s.tMs - startMs) / binMs));
    seen.add(`${stream}:${bin}`);
  }
  return seen.size / (bins * COVERAGE_STREAMS.length);
}
