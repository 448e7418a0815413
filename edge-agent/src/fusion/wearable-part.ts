/**
 * The wearable half of fusion: the wearable block sent on the wire, the model's distress, how far
 * that estimate can be trusted (confidence) and the drivers that explain it.
 */
import { DRIVER_CODES, DRIVER_UNIT_RANGES, type Driver, type DriverCode, type Unobserved, type WearableBlock } from '@attune/protocol';
import { BASELINE_FEATURES, EDA_FLAT_RANGE_US, type BaselineFeature, type WindowFeatures, type ZScores } from '@attune/models';

/** Marks a sign present/absent in this window and returns how long it has lasted, seconds (null until it spans 2+ windows). */
export type SignTracker = (key: string, active: boolean) => number | null;

/** A contribution (weight x z) must reach this much calibrated log-odds to be named as a driver (HR about 1.3 SD, SCL 2.4 SD, SCR rate 1.8 SD). */
const DRIVER_MIN_LOGIT = 0.2;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
/** Keeps a value only if it fits the wire range; out-of-range readings are reported as unknown, not clamped into plausibility. */
const inRange = (x: number | null, lo: number, hi: number, digits: number) =>
  x === null || !Number.isFinite(x) || x < lo || x > hi ? null : round(x, digits);

export interface WearableObservation {
  features: WindowFeatures;
  z: ZScores;
  /** Model output, or null when the window could not be scored (off wrist, no heart signal). */
  distress: number | null;
  baselineReady: boolean;
  /** How established the personal baseline is, 0..1 (BaselineNormaliser.maturity); treated as 1 when left out. */
  baselineMaturity?: number;
  /**
   * Whether the window is vetted calm against the patient's baseline (no arousal sign above 1.5 SD,
   * arm still: BaselineNormaliser.isVettedCalm), the same test that lets a window refresh the
   * baseline; left out by callers that do not know it.
   */
  vettedCalm?: boolean;
  /** The patient's own baseline means (null until learned). */
  baseline: Record<BaselineFeature, number | null>;
}

/** Wire driver code and decimals of each wearable feature. */
const FEATURE_DRIVERS: Record<BaselineFeature, { code: DriverCode; digits: number }> = {
  hrBpm: { code: 'heart_rate_high', digits: 0 },
  rmssdMs: { code: 'hrv_low', digits: 0 },
  sclUs: { code: 'skin_conductance_high', digits: 2 },
  scrPerMin: { code: 'skin_conductance_responses', digits: 1 },
  tempC: { code: 'skin_temperature_low', digits: 1 },
  activityG: { code: 'movement_high', digits: 3 },
};

/**
 * A driver with its value (and the patient's baseline, when learned) rounded and checked against
 * the code's wire range; null when the value is out of range (a sensor fault is not a driver).
 */
export function codedDriver(
  code: DriverCode,
  measured: { value?: number | null; baseline?: number | null; digits?: number; durationS?: number | null } = {},
): Driver | null {
  const unit = DRIVER_CODES[code];
  if (unit === null) return { code };
  const [lo, hi] = DRIVER_UNIT_RANGES[unit];
  const digits = measured.digits ?? 2;
  const value = inRange(measured.value ?? null, lo, hi, digits);
  if (value === null) return null;
  const baseline = inRange(measured.baseline ?? null, lo, hi, digits);
  const durationS = measured.durationS ?? null;
  return { code, value, unit, ...(baseline !== null ? { baseline } : {}), ...(durationS !== null ? { durationS } : {}) };
}

function wearableDrivers(obs: WearableObservation, weights: readonly number[], track: SignTracker): Driver[] {
  const f = obs.features;
  // The heart rate's streak is tracked whether or not it is a driver this window, so "for 4 min" is true.
  const hrAbove = f.onWrist && f.hrBpm !== null && obs.baseline.hrBpm !== null && f.hrBpm - obs.baseline.hrBpm >= 10;
  const hrForS = track('heart-rate-above-baseline', hrAbove);
  if (!f.onWrist) return [{ code: 'wristband_off' }];
  const drivers = BASELINE_FEATURES.map((feature, i) => ({ feature, logit: (obs.z[feature] ?? 0) * weights[i]! }))
    .filter((c) => c.logit >= DRIVER_MIN_LOGIT)
    .sort((a, b) => b.logit - a.logit)
    .map(({ feature }) => {
      const { code, digits } = FEATURE_DRIVERS[feature];
      return codedDriver(code, {
        value: f[feature],
        baseline: obs.baseline[feature],
        digits,
        durationS: feature === 'hrBpm' ? hrForS : null,
      });
    })
    .filter((d): d is Driver => d !== null);
  // Restless movement is a sign in its own right (PAINAD body language, agitation); it never lowers the estimate.
  if ((obs.z.activityG ?? 0) >= RESTLESS_ACTIVITY_Z && !drivers.some((d) => d.code === 'movement_high')) {
    const moving = codedDriver('movement_high', { value: f.activityG, baseline: obs.baseline.activityG, digits: 3 });
    if (moving) drivers.push(moving);
  }
  return drivers.slice(0, 6);
}

/** Movement this many baseline SDs above the patient's own is restlessness: named as a sign. */
const RESTLESS_ACTIVITY_Z = 2;

/**
 * How far the wearable's estimate can be trusted, 0..1, as the product of what weakens it. Each
 * factor is a reason a nurse would accept ("the arm was moving", "no clean beats"), and each is tested:
 * - off the wrist or no heart signal: 0 (nothing is scored);
 * - coverage: the share of the window's seconds that held samples;
 * - missing features: each of the six the model reads that is missing;
 * - no beat-to-beat intervals (HR from the device only, no RMSSD): the heart reading is unverified;
 * - movement: wrist PPG and EDA are unreliable while the arm moves, falling with its size;
 * - EDA flat-lined over 30 s: the skin sensor is not reading skin;
 * - a patient whose skin barely responds (resting SCL < 0.2 uS and almost no SCRs): the skin
 *   features, a third of the model, cannot show arousal for this person;
 * - the baseline: population norms until the patient's own is learned, then less while it is short.
 */
export function wearableConfidence(obs: WearableObservation): number {
  if (obs.distress === null) return 0;
  const f = obs.features;
  const present = BASELINE_FEATURES.filter((k) => f[k] !== null).length / BASELINE_FEATURES.length;
  let c = 0.95 * Math.min(1, f.coverage) * (0.4 + 0.6 * present);
  if (f.rmssdMs === null) c *= 0.85;
  const activityZ = obs.z.activityG ?? 0;
  if (activityZ > RESTLESS_ACTIVITY_Z) c *= Math.max(0.4, 1 - 0.1 * (activityZ - RESTLESS_ACTIVITY_Z));
  if (f.edaRangeUs !== undefined && f.edaRangeUs !== null && f.edaRangeUs < EDA_FLAT_RANGE_US) c *= 0.6;
  const restingScl = obs.baseline.sclUs;
  const restingScr = obs.baseline.scrPerMin;
  if (restingScl !== null && restingScl < 0.2 && (restingScr === null || restingScr < 0.5)) c *= 0.75;
  if (!obs.baselineReady) c *= 0.5;
  else c *= 0.7 + 0.3 * (obs.baselineMaturity ?? 1);
  return c;
}

/**
 * The wearable's part of a fused window: its block, distress, confidence and drivers. `obs` is null
 * when the wearable is not consented or sent nothing; what it could not observe goes into `unobserved`.
 */
export function fuseWearable(
  obs: WearableObservation | null,
  consented: boolean,
  weights: readonly number[],
  unobserved: Set<Unobserved>,
  track: SignTracker,
): WearablePart {
  if (!obs) {
    for (const u of ['heart_rate', 'hrv', 'eda', 'temperature', 'activity'] as const) unobserved.add(u);
    return { distress: 0, confidence: 0, drivers: [], coverage: consented ? 0 : null };
  }

  const f = obs.features;
  const block: WearableBlock = {
    hrBpm: inRange(f.hrBpm, 20, 250, 1),
    hrBaselineBpm: inRange(obs.baseline.hrBpm, 20, 250, 1),
    sdnnMs: inRange(f.sdnnMs, 0, 1000, 1),
    rmssdMs: inRange(f.rmssdMs, 0, 1000, 1),
    sclUs: inRange(f.sclUs, 0, 100, 2),
    scrPerMin: inRange(f.scrPerMin, 0, 60, 1),
    tempC: inRange(f.tempC, 20, 45, 2),
    activityG: inRange(f.activityG, 0, 16, 3),
    distress: obs.distress === null ? null : round(obs.distress, 3),
    baselineReady: obs.baselineReady,
    onWrist: f.onWrist,
  };
  if (!f.onWrist || block.hrBpm === null) unobserved.add('heart_rate');
  if (!f.onWrist || block.rmssdMs === null) unobserved.add('hrv');
  if (!f.onWrist || block.sclUs === null) unobserved.add('eda');
  if (!f.onWrist || block.tempC === null) unobserved.add('temperature');
  if (block.activityG === null) unobserved.add('activity');
  if (!obs.baselineReady) unobserved.add('baseline');

  const confidence = Math.max(0, Math.min(1, wearableConfidence(obs)));
  const drivers = wearableDrivers(obs, weights, track);
  return {
    distress: obs.distress ?? 0,
    confidence,
    drivers,
    block,
    coverage: round(Math.min(1, f.coverage), 2),
  };
}

export interface WearablePart {
  distress: number;
  confidence: number;
  drivers: Driver[];
  block?: WearableBlock;
  coverage: number | null;
}
