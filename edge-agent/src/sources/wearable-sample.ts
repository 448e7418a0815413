/**
 * Wearable samples as the sources emit them. Times are agent wall-clock milliseconds (unix ms).
 * Samples live in memory only; they are never written to disk or published.
 */
export type WearableSample =
  | { kind: 'hr'; tMs: number; hrBpm: number }
  /** An inter-beat interval ending at tMs. */
  | { kind: 'ibi'; tMs: number; ibiS: number }
  | { kind: 'eda'; tMs: number; edaUs: number }
  | { kind: 'temp'; tMs: number; tempC: number }
  /** Acceleration in g on the three axes. */
  | { kind: 'acc'; tMs: number; xG: number; yG: number; zG: number };

export type WearableSampleKind = WearableSample['kind'];

/** A sample before it is placed on the wall clock: seconds from the start of the recording/simulation. */
export type OffsetSample = WearableSample extends infer S
  ? S extends WearableSample
    ? Omit<S, 'tMs'> & { offsetS: number }
    : never
  : never;

export type SourceState = 'streaming' | 'stopped' | 'error';

/** A wearable source: opened and closed by the consent gate; emits samples while open. */
export interface WearableSource {
  readonly description: string;
  open(onSamples: (samples: WearableSample[]) => void): void;
  /** Stops emitting immediately; no sample is delivered after close() returns. */
  close(): void;
  state(): SourceState;
}

/** Produces the samples of a stream between two offsets, in time order, strictly after `fromS` up to and including `toS`. */
export interface OffsetSampleGenerator {
  /** Length of one pass in seconds, or Infinity for an endless generator. */
  readonly durationS: number;
  samplesBetween(fromS: number, toS: number): OffsetSample[];
}

export function toWallClock(sample: OffsetSample, startMs: number): WearableSample {
  const { offsetS, ...rest } = sample;
  return { ...rest, tMs: startMs + offsetS * 1000 } as WearableSample;
}
