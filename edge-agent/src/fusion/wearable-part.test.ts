/**
 * The wearable's confidence means something: each thing that weakens the estimate lowers it (and is
 * tested here one at a time), and movement is a sign of distress, never a reason to lower the estimate.
 */
import { describe, expect, it } from 'vitest';
import { EDA_FLAT_RANGE_US, loadWearableWeights, WEARABLE_FEATURE_ORDER, type WindowFeatures } from '@attune/models';
import { fuseWearable, wearableConfidence, type WearableObservation } from './wearable-part.ts';
import { wearableObservation, type WearablePatient } from '../../test/wearable-observations.ts';

const weights = loadWearableWeights().weights.map((w) => w.weight);

/** A clean, confident window of a patient with a mature baseline. */
const settled: WearablePatient = {
  readings: { hrBpm: 80, sdnnMs: 40, rmssdMs: 35, sclUs: 4, scrPerMin: 2, tempC: 33, activityG: 0.01, edaRangeUs: 0.08 },
  z: { hrBpm: 1, rmssdMs: 0, sclUs: 0.5, scrPerMin: 0.5, tempC: 0, activityG: 0 },
  distress: 0.4,
  baselineMaturity: 1,
  baseline: { hrBpm: 76, rmssdMs: 38, sclUs: 3.8, scrPerMin: 1.8, tempC: 33.1, activityG: 0.01 },
};
const observation = (over: Partial<WindowFeatures> = {}, rest: Partial<WearableObservation> = {}) =>
  wearableObservation(settled, over, rest);

const clean = wearableConfidence(observation());

describe('wearable confidence', () => {
  it('is high for a clean window with a mature baseline', () => {
    expect(clean).toBeGreaterThan(0.9);
  });

  it('falls with motion artifact, more for more movement', () => {
    const some = wearableConfidence(observation({ activityG: 0.2 }, { z: { ...observation().z, activityG: 4 } }));
    const much = wearableConfidence(observation({ activityG: 0.6 }, { z: { ...observation().z, activityG: 6 } }));
    expect(some).toBeLessThan(clean);
    expect(much).toBeLessThan(some);
  });

  it('falls without beat-to-beat intervals (heart rate unverified, no RMSSD)', () => {
    expect(wearableConfidence(observation({ rmssdMs: null, sdnnMs: null }, { z: { ...observation().z, rmssdMs: null } }))).toBeLessThan(
      clean * 0.9,
    );
  });

  it('falls while the baseline is short, and more before it exists', () => {
    const short = wearableConfidence(observation({}, { baselineMaturity: 0.33 }));
    const none = wearableConfidence(observation({}, { baselineReady: false, baselineMaturity: 0 }));
    expect(short).toBeLessThan(clean);
    expect(none).toBeLessThan(short);
  });

  it('falls when EDA flat-lines', () => {
    expect(wearableConfidence(observation({ edaRangeUs: EDA_FLAT_RANGE_US / 2 }))).toBeLessThan(clean * 0.7);
  });

  it('is 0 off the wrist (nothing is scored)', () => {
    expect(wearableConfidence(observation({ onWrist: false }, { distress: null }))).toBe(0);
  });

  it('falls for a patient whose skin barely responds (the model cannot read their arousal)', () => {
    const flat = observation({ sclUs: 0.12, scrPerMin: 0 }, { baseline: { ...observation().baseline, sclUs: 0.12, scrPerMin: 0.1 } });
    expect(wearableConfidence(flat)).toBeLessThan(clean * 0.8);
  });

  it('falls with poor coverage', () => {
    expect(wearableConfidence(observation({ coverage: 0.5 }))).toBeLessThan(clean * 0.6);
  });
});

describe('movement', () => {
  it('never lowers the distress estimate: the deployed activity weight is not negative', () => {
    const activity = weights[WEARABLE_FEATURE_ORDER.indexOf('activityZ')]!;
    expect(activity).toBeGreaterThanOrEqual(0);
  });

  it('is named as restlessness (a PAINAD body-language sign), and lowers only the confidence', () => {
    const still = fuseWearable(observation(), true, weights, new Set(), () => null);
    const restless = fuseWearable(
      observation({ activityG: 0.4 }, { z: { ...observation().z, activityG: 5 } }),
      true,
      weights,
      new Set(),
      () => null,
    );
    expect(restless.distress).toBe(still.distress);
    expect(restless.confidence).toBeLessThan(still.confidence);
    expect(restless.drivers.map((d) => d.code)).toContain('movement_high');
    expect(restless.drivers.map((d) => d.code)).not.toContain('movement_confounds_arousal');
    expect(still.drivers.map((d) => d.code)).not.toContain('movement_high');
  });
});
