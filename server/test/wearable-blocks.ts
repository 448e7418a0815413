/** Wearable blocks for tests of the alert rules, shared by the rules' unit tests and the integration tests. */
import type { WearableBlock } from '@attune/protocol';

/**
 * A wristband on the wrist reading a calm patient (heart rate 74 against a baseline of 72): the
 * wearable is observed, so a face is no longer the only evidence, and it shows no distress itself.
 */
export const CALM_WEARABLE: WearableBlock = {
  hrBpm: 74,
  hrBaselineBpm: 72,
  sdnnMs: 45,
  rmssdMs: 35,
  sclUs: 3,
  scrPerMin: 2,
  tempC: 33,
  activityG: 0.02,
  distress: 0.3,
  baselineReady: true,
  onWrist: true,
};
