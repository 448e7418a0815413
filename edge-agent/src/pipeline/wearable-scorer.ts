/**
 * One window of the wearable pipeline: features -> personal-baseline z-scores -> model -> baseline
 * update. Shared by the live agent and offline checks of the demo recordings. The feature,
 * baseline and row-building code is @attune/models' (the code the model was trained with).
 */
import { BASELINE_FEATURES, BaselineStepper, WindowFeatureExtractor, type WearableSample } from '@attune/models';
import type { WearableObservation } from '../fusion/fuse.ts';

export interface DistressPredictor {
  readonly zClip: number;
  predict(z: readonly number[]): Promise<number>;
}

export class WearableScorer {
  private readonly extractor = new WindowFeatureExtractor();
  private baseline: BaselineStepper;

  constructor(
    private readonly model: DistressPredictor,
    private readonly baselineWindows: number,
  ) {
    this.baseline = new BaselineStepper(baselineWindows, model.zClip);
  }

  /** A new patient (new stay): their samples and their own baseline start afresh; nothing of the last patient carries over. */
  resetPatient(): void {
    this.extractor.clear();
    this.baseline = new BaselineStepper(this.baselineWindows, this.model.zClip);
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
    return this.baseline.normaliser.isReady();
  }

  /** Returns null when the window holds no wearable samples at all (nothing observed). */
  async score(windowStartMs: number, windowEndMs: number): Promise<WearableObservation | null> {
    const features = this.extractor.compute(windowStartMs, windowEndMs);
    if (features.sampleCount === 0) return null;
    const { z, row, scorable } = this.baseline.prepare(features);
    // Off the wrist or without any heart signal the model has nothing trustworthy to score.
    const distress = scorable ? await this.model.predict(row) : null;
    const vettedCalm = this.baseline.normaliser.isVettedCalm(features);
    this.baseline.observe(features);
    const normaliser = this.baseline.normaliser;
    return {
      features,
      z,
      distress,
      baselineReady: normaliser.isReady(),
      baselineMaturity: normaliser.maturity(),
      vettedCalm,
      baseline: Object.fromEntries(BASELINE_FEATURES.map((f) => [f, normaliser.baselineMean(f)])) as WearableObservation['baseline'],
    };
  }
}
