/**
 * Wearable samples as the sources emit them. Times are agent wall-clock milliseconds (unix ms).
 * Samples live in memory only; they are never written to disk or published.
 */
import type { WearableSample } from '@attune/models';

// The sample shapes are defined once, in @attune/models, where the feature code that reads them lives.
export type { OffsetSample, OffsetSampleGenerator, WearableSample } from '@attune/models';
export { offsetToClock as toWallClock } from '@attune/models';

export type WearableSampleKind = WearableSample['kind'];

export type SourceState = 'streaming' | 'stopped' | 'error';

/** A wearable source: opened and closed by the consent gate; emits samples while open. */
export interface WearableSource {
  readonly description: string;
  open(onSamples: (samples: WearableSample[]) => void): void;
  /** Stops emitting immediately; no sample is delivered after close() returns. */
  close(): void;
  state(): SourceState;
}
