/**
 * Wearable samples as the sources emit them and the feature code consumes them. Times are
 * wall-clock milliseconds (unix ms) on the agent, or any monotonic ms clock offline.
 * Samples live in memory only; they are never written to disk or published.
 *
 * The single definition: the edge agent's sources import these shapes from here.
 */
export type WearableSample =
  | { kind: 'hr'; tMs: number; hrBpm: number }
  /** An inter-beat interval ending at tMs. */
  | { kind: 'ibi'; tMs: number; ibiS: number }
  | { kind: 'eda'; tMs: number; edaUs: number }
  | { kind: 'temp'; tMs: number; tempC: number }
  /** Acceleration in g on the three axes. */
  | { kind: 'acc'; tMs: number; xG: number; yG: number; zG: number };

/** A sample before it is placed on a clock: seconds from the start of the recording. */
export type OffsetSample = WearableSample extends infer S
  ? S extends WearableSample
    ? Omit<S, 'tMs'> & { offsetS: number }
    : never
  : never;

/** Produces the samples of a stream between two offsets, in time order, strictly after `fromS` up to and including `toS`. */
export interface OffsetSampleGenerator {
  /** Length of one pass in seconds, or Infinity for an endless generator. */
  readonly durationS: number;
  samplesBetween(fromS: number, toS: number): OffsetSample[];
}

export function offsetToClock(sample: OffsetSample, startMs: number): WearableSample {
  const { offsetS, ...rest } = sample;
  return { ...rest, tMs: startMs + offsetS * 1000 } as WearableSample;
}
