/** Wearable observations for the fusion tests: one patient's readings, on a full window, with the test's changes. */
import type { WindowFeatures } from '@attune/models';
import type { WearableObservation } from '../src/fusion/wearable-part.ts';

/** What a test's patient reads and what the model made of it; the window around it is the same in every test. */
export interface WearablePatient extends Omit<WearableObservation, 'features' | 'baselineReady'> {
  readings: Pick<WindowFeatures, 'hrBpm' | 'sdnnMs' | 'rmssdMs' | 'sclUs' | 'scrPerMin' | 'tempC' | 'activityG' | 'edaRangeUs'>;
}

/**
 * The patient's observation over a full 5 s window on the wrist (200 samples, 30 beat intervals, none
 * rejected) with a ready baseline; `over` changes the window's features and `rest` the observation.
 */
export function wearableObservation(
  patient: WearablePatient,
  over: Partial<WindowFeatures> = {},
  rest: Partial<WearableObservation> = {},
): WearableObservation {
  const { readings, ...model } = patient;
  const features: WindowFeatures = {
    windowStartMs: 0,
    windowEndMs: 5000,
    ...readings,
    coverage: 1,
    onWrist: true,
    sampleCount: 200,
    ibiAccepted: 30,
    ibiRejected: 0,
    ...over,
  };
  return { features, baselineReady: true, ...model, ...rest };
}
