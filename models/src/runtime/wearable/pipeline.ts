/**
 * The per-window wearable pipeline shared by the edge agent (live and offline scoring) and model
 * training/evaluation: window features -> personal-baseline z-scores -> model input row -> baseline
 * update. Keeping it in one place is what guarantees the trained model sees the agent's features.
 */
import { BASELINE_FEATURES, BaselineNormaliser, type ZScores } from './baseline-normaliser.ts';
import type { OffsetSample } from './samples.ts';
import { WindowFeatureExtractor, type WindowFeatures } from './window-features.ts';

/** The agent's default window (edge-agent config `windowMs`). */
export const DEFAULT_WINDOW_MS = 5000;
/** The agent's default baseline length in usable windows (edge-agent config `baselineWindows`: 24 x 5 s = 2 min). */
export const DEFAULT_BASELINE_WINDOWS = 24;

/** The model's input row: z-scores in BASELINE_FEATURES (= WEARABLE_FEATURE_ORDER) order, a missing feature as 0 (at baseline). */
export function modelInputRow(z: ZScores): number[] {
  return BASELINE_FEATURES.map((f) => z[f] ?? 0);
}

/** Off the wrist or without any heart signal the model has nothing trustworthy to score. */
export function isScorable(f: WindowFeatures): boolean {
  return f.onWrist && f.hrBpm !== null;
}

/**
 * Window features of a whole recording, windows [k*w, (k+1)*w) from offset 0, fed exactly as the
 * offline scorer feeds the live extractor (all samples up to the window end, then compute).
 * Features do not depend on the model, so training computes them once per recording.
 */
export function recordingWindowFeatures(samples: readonly OffsetSample[], windowMs: number = DEFAULT_WINDOW_MS): WindowFeatures[] {
  const sorted = [...samples].sort((a, b) => a.offsetS - b.offsetS);
  const durationS = (sorted.at(-1)?.offsetS ?? -1) + 1;
  const extractor = new WindowFeatureExtractor();
  const stepS = windowMs / 1000;
  const out: WindowFeatures[] = [];
  let next = 0;
  for (let startS = 0; startS + stepS <= durationS; startS += stepS) {
    const batch = [];
    // Samples of (startS, startS + step], as RecordedSamples.samplesBetween(startS - 1e-9, startS + step - 1e-9) gives them.
    while (next < sorted.length && sorted[next]!.offsetS <= startS + stepS - 1e-9) {
      const { offsetS, ...rest } = sorted[next]!;
      if (offsetS > startS - 1e-9) batch.push({ ...rest, tMs: offsetS * 1000 });
      next++;
    }
    extractor.add(batch as Parameters<WindowFeatureExtractor['add']>[0]);
    out.push(extractor.compute(startS * 1000, (startS + stepS) * 1000));
  }
  return out;
}

export interface NormalisedWindow {
  features: WindowFeatures;
  z: ZScores;
  row: number[];
  scorable: boolean;
  /** Whether the personal baseline was ready when this window was normalised. */
  baselineReady: boolean;
  /** Model output when scorable (null otherwise, or when no predictor was given). */
  distress: number | null;
}

/**
 * One patient's baseline state, stepped window by window exactly as the agent does: `prepare`
 * normalises a window against the baseline so far, the caller scores `row` when `scorable`, then
 * `observe` learns the baseline from the first usable windows and refreshes it in vetted calm ones
 * (judged on the signals, not the model's output, so the rows do not depend on the model).
 */
export class BaselineStepper {
  readonly normaliser: BaselineNormaliser;

  constructor(baselineWindows: number, zClip: number) {
    this.normaliser = new BaselineNormaliser(baselineWindows, zClip);
  }

  prepare(features: WindowFeatures): Omit<NormalisedWindow, 'distress'> {
    const baselineReady = this.normaliser.isReady();
    const z = this.normaliser.normalise(features);
    return { features, z, row: modelInputRow(z), scorable: isScorable(features), baselineReady };
  }

  observe(features: WindowFeatures): void {
    this.normaliser.observe(features);
  }
}

export interface NormaliseOptions {
  baselineWindows: number;
  zClip: number;
}

/** Runs the baseline over a sequence of windows, scoring each with a synchronous predictor when one is given (training). */
export function normaliseWindows(
  windows: readonly WindowFeatures[],
  options: NormaliseOptions & { predict: ((row: readonly number[]) => number) | null },
): NormalisedWindow[] {
  const stepper = new BaselineStepper(options.baselineWindows, options.zClip);
  return windows.map((features) => {
    const w = stepper.prepare(features);
    const distress = w.scorable && options.predict ? options.predict(w.row) : null;
    stepper.observe(features);
    return { ...w, distress };
  });
}

/** The same with an asynchronous predictor (the ONNX model through onnxruntime). */
export async function normaliseWindowsAsync(
  windows: readonly WindowFeatures[],
  options: NormaliseOptions & { predict: (row: readonly number[]) => Promise<number> },
): Promise<NormalisedWindow[]> {
  const stepper = new BaselineStepper(options.baselineWindows, options.zClip);
  const out: NormalisedWindow[] = [];
  for (const features of windows) {
    const w = stepper.prepare(features);
    const distress = w.scorable ? await options.predict(w.row) : null;
    stepper.observe(features);
    out.push({ ...w, distress });
  }
  return out;
}
