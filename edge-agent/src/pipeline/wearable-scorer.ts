/**
 * One window of the wearable pipeline: features -> personal-baseline z-scores -> model -> baseline
 * update. Shared by the live agent and offline checks of the demo recordings.
 */
import { BASELINE_FEATURES, BaselineNormaliser } from '../features/baseline-normaliser.ts';
import { WindowFeatureExtractor } from '../features/window-features.ts';
import type { WearableObservation } from '../fusion/fuse.ts';
import type { WearableSample } from '../sources/wearable-sample.ts';

export interface DistressPredictor {
  readonly zClip: number;
  predict(z: readonly number[]): Promise<number>;
}

export class WearableScorer {
  private readonly extractor = new WindowFeatureExtractor();
  private readonly normaliser: BaselineNormaliser;

  constructor(
    private readonly model: DistressPredictor,
    baselineWindows: number,
  ) {
    this.normaliser = new BaselineNormaliser(baselineWindows, model.zClip);
  }

  add(samples: readonly WearableSample[]): void {
    this.extractor.add(samples);
  }

  /** Discards every buffered sample (withdrawal). The learned baseline holds only summary statistics and is kept. */
  discardSamples(): void {
    this.extractor.clear();
  }

  bufferedCount(): number {
    return this.extractor.bufferedCount();
  }

  isBaselineReady(): boolean {
    return this.normaliser.isReady();
  }

  /** Returns null when the window holds no wearable samples at all (nothing observed). */
  async score(windowStartMs: number, windowEndMs: number): Promise<WearableObservation | null> {
    const features = this.extractor.compute(windowStartMs, windowEndMs);
    if (features.sampleCount === 0) return null;
    const z = this.normaliser.normalise(features);
    // Off the wrist or without any heart signal the model has nothing trustworthy to score.
    const scorable = features.onWrist && features.hrBpm !== null;
    const distress = scorable ? await this.model.predict(BASELINE_FEATURES.map((f) => z[f] ?? 0)) : null;
    this.normaliser.observe(features, distress);
    return {
      features,
      z,
      distress,
      baselineReady: this.normaliser.isReady(),
      baseline: Object.fromEntries(BASELINE_FEATURES.map((f) => [f, this.normaliser.baselineMean(f)])) as WearableObservation['baseline'],
    };
  }
}
