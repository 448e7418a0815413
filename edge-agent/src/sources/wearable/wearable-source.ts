/**
 * The agent's wearable source contract. Samples live in memory only; they are never written to
 * disk or published.
 */
import type { WearableSample } from '@attune/models';
import type { SourceState } from '../source-state.ts';

// The sample shapes themselves are defined once, in @attune/models, with the feature code that reads them.

export type { SourceState };

/** A wearable source: opened and closed by the consent gate; emits samples while open. */
export interface WearableSource {
  readonly description: string;
  open(onSamples: (samples: WearableSample[]) => void): void;
  /** Stops emitting immediately; no sample is delivered after close() returns. */
  close(): void;
  state(): SourceState;
}
