/**
 * Fusion: turns what each consented modality observed into the `fused` block, the modality
 * blocks and `quality`. Each modality gives a distress estimate and a confidence: the wearable
 * model's output (confidence falls with poor coverage, an off-wrist sensor, missing features or
 * no personal baseline yet) and the face's negative affect and pain indicators (confidence falls
 * when the face is not seen, turned away, badly lit, unsteady, or not yet compared with the
 * patient's own neutral face). Fused distress is the confidence-weighted mean; fused confidence
 * combines the modalities' confidences and drops when they disagree. A modality that is not
 * consented or not seen is never filled in: it is listed in `quality.unobserved` and adds nothing.
 */
import {
  DRIVER_CODES,
  DRIVER_UNIT_RANGES,
  type Driver,
  type DriverCode,
  type FaceBlock,
  type Quality,
  type ScoreWindow,
  type Unobserved,
  type WearableBlock,
} from '@attune/protocol';
import type { FaceObservation } from '../face/face-window.ts';
import { SignPersistence } from './sign-persistence.ts';
import { BASELINE_FEATURES, type BaselineFeature, type WindowFeatures, type ZScores } from '@attune/models';

export interface WearableObservation {
  features: WindowFeatures;
  z: ZScores;
  /** Model output, or null when the window could not be scored (off wrist, no heart signal). */
  distress: number | null;
  baselineReady: boolean;
  /** The patient's own baseline means (null until learned). */
  baseline: Record<BaselineFeature, number | null>;
}

export interface FusionInput {
  wearableConsented: boolean;
  cameraConsented: boolean;
  /** null when the wearable is not consented or produced no samples in the window. */
  wearable: WearableObservation | null;
  /** Model weights in BASELINE_FEATURES order, to rank the drivers by contribution. */
  weights: readonly number[];
  /** The face pipeline's window; null when the camera is not consented or delivered no frames. */
  face?: FaceObservation | null;
  /** Remembers since when each sign has been present, so drivers can say "for 4 min". */
  persistence?: SignPersistence;
  windowStartMs?: number;
  windowEndMs?: number;
}

export type FusionOutput = Pick<ScoreWindow, 'fused' | 'quality'> & { wearable?: WearableBlock; face?: FaceBlock };

/** A contribution (weight x z) must reach this much logit to be named as a driver. */
const DRIVER_MIN_LOGIT = 0.5;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
/** Keeps a value only if it fits the wire range; out-of-range readings are reported as unknown, not clamped into plausibility. */
const inRange = (x: number | null, lo: number, hi: number, digits: number) =>
  x === null || !Number.isFinite(x) || x < lo || x > hi ? null : round(x, digits);

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

function wearableDrivers(input: FusionInput, obs: WearableObservation, weights: readonly number[]): Driver[] {
  const f = obs.features;
  // The heart rate's streak is tracked whether or not it is a driver this window, so "for 4 min" is true.
  const hrAbove = f.onWrist && f.hrBpm !== null && obs.baseline.hrBpm !== null && f.hrBpm - obs.baseline.hrBpm >= 10;
  const hrForS = track(input, 'heart-rate-above-baseline', hrAbove);
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
  // Movement lowers the score (confounder); say so when it is why arousal was discounted.
  if ((obs.z.activityG ?? 0) >= 2) {
    const moving = codedDriver('movement_confounds_arousal', { value: f.activityG, baseline: obs.baseline.activityG, digits: 3 });
    if (moving) drivers.push(moving);
  }
  return drivers.slice(0, 6);
}

function wearableConfidence(obs: WearableObservation): number {
  if (obs.distress === null) return 0;
  const f = obs.features;
  const present = BASELINE_FEATURES.filter((k) => f[k] !== null).length / BASELINE_FEATURES.length;
  let c = 0.9 * Math.min(1, f.coverage) * (0.4 + 0.6 * present);
  if (!obs.baselineReady) c *= 0.5;
  // Wrist PPG and EDA are unreliable while the arm moves.
  if ((obs.z.activityG ?? 0) >= 3) c *= 0.7;
  return c;
}

function fuseWearable(input: FusionInput, unobserved: Set<Unobserved>): WearablePart {
  const obs = input.wearableConsented ? input.wearable : null;
  if (!obs) {
    for (const u of ['heart_rate', 'hrv', 'eda', 'temperature', 'activity'] as const) unobserved.add(u);
    return { distress: 0, confidence: 0, drivers: [], coverage: input.wearableConsented ? 0 : null };
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
  const drivers = wearableDrivers(input, obs, input.weights);
  return {
    distress: obs.distress ?? 0,
    confidence,
    drivers,
    block,
    coverage: round(Math.min(1, f.coverage), 2),
  };
}

interface WearablePart {
  distress: number;
  confidence: number;
  drivers: Driver[];
  block?: WearableBlock;
  coverage: number | null;
}

interface FacePart {
  distress: number;
  confidence: number;
  drivers: Driver[];
}

/** Marks a sign present/absent in this window and returns how long it has lasted, seconds, once it spans 2+ windows. */
function track(input: FusionInput, key: string, active: boolean): number | null {
  if (!input.persistence || input.windowStartMs === undefined || input.windowEndMs === undefined) return null;
  return input.persistence.update(key, active, input.windowStartMs, input.windowEndMs);
}

/** Driver code of each negative expression, when it is the top expression. */
const EXPRESSION_DRIVERS = { sad: 'looks_sad', fearful: 'looks_frightened', angry: 'looks_angry', disgusted: 'looks_disgusted' } as const;

/** Face distress: negative affect and pain signs (PSPI, grimacing), each 0..1, combined like independent evidence. */
export function faceDistress(face: FaceObservation): number {
  const b = face.block;
  const affect = Math.max(0, Math.min(1, (b.negativeAffect - 0.2) / 0.6));
  const pain = Math.max(b.pspi === null ? 0 : Math.max(0, Math.min(1, (b.pspi - 1) / 7)), face.fractions.grimace);
  return 1 - (1 - 0.8 * affect) * (1 - pain);
}

function fuseFace(input: FusionInput, face: FaceObservation): FacePart {
  const b = face.block;
  const fr = face.fractions;
  const drivers: Driver[] = [];
  const sign = (key: string, active: boolean, code: DriverCode, fraction: number) => {
    const forS = track(input, key, active);
    const driver = active ? codedDriver(code, { value: fraction, durationS: forS }) : null;
    if (driver) drivers.push(driver);
  };
  sign('face-grimace', fr.grimace >= 0.3, 'grimace', fr.grimace);
  if (fr.browAndEyes >= 0.3) sign('face-brow-eyes', true, 'brow_lowered_eyes_tightened', fr.browAndEyes);
  else sign('face-brow', fr.browLowered >= 0.3, 'brow_lowered', fr.browLowered);
  sign('face-mouth', fr.mouthOpen >= 0.3 && fr.grimace >= 0.3, 'mouth_stretched_open', fr.mouthOpen);
  const negKey = (Object.keys(EXPRESSION_DRIVERS) as (keyof typeof EXPRESSION_DRIVERS)[]).reduce((a, k) =>
    b.expression[k] > b.expression[a] ? k : a,
  );
  sign('face-negative', fr.negativeTop >= 0.4, EXPRESSION_DRIVERS[negKey], fr.negativeTop);
  if (face.quality < 0.4) drivers.push(...face.qualityNotes.slice(0, 2));
  return { distress: faceDistress(face), confidence: face.quality, drivers };
}

export function fuse(input: FusionInput): FusionOutput {
  const unobserved = new Set<Unobserved>();
  const wearable = fuseWearable(input, unobserved);

  const face = input.cameraConsented && input.face && input.face.framesWithFace > 0 ? input.face : null;
  if (!face) unobserved.add('face').add('expression').add('pain_face');
  else if (face.block.pspi === null) unobserved.add('pain_face').add('baseline');
  const facePart = face ? fuseFace(input, face) : null;
  if (!face && input.cameraConsented && input.face) track(input, 'face-grimace', false);

  const parts = [{ ...wearable, weight: wearable.confidence }, ...(facePart ? [{ ...facePart, weight: facePart.confidence }] : [])].filter(
    (p) => p.confidence > 0 || p.drivers.length > 0,
  );
  const totalWeight = parts.reduce((s, p) => s + p.weight, 0);
  const distress = totalWeight > 0 ? parts.reduce((s, p) => s + p.weight * p.distress, 0) / totalWeight : 0;
  let confidence = 1 - parts.reduce((s, p) => s * (1 - p.confidence), 1);
  // Two modalities that contradict each other are less trustworthy than either alone suggests.
  if (parts.length === 2 && parts.every((p) => p.confidence > 0.2) && Math.abs(parts[0]!.distress - parts[1]!.distress) > 0.5)
    confidence *= 0.8;
  // Drivers of the modality that contributes most come first.
  const drivers = [...parts]
    .sort((a, b) => b.weight * b.distress - a.weight * a.distress)
    .flatMap((p) => p.drivers)
    .slice(0, 6);

  const faceCoverage = !input.cameraConsented ? null : input.face ? input.face.block.faceVisibleFraction : 0;
  const quality: Quality = { wearableCoverage: wearable.coverage, faceCoverage, unobserved: [...unobserved] };
  return {
    fused: { distress: round(Math.max(0, Math.min(1, distress)), 3), confidence: round(Math.max(0, Math.min(1, confidence)), 2), drivers },
    ...(wearable.block ? { wearable: wearable.block } : {}),
    ...(face ? { face: face.block } : {}),
    quality,
  };
}
