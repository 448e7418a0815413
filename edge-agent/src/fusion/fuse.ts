/**
 * Fusion: turns what each consented modality observed into the `fused` block, the modality
 * blocks and `quality`. With only the wearable, fused distress is the wearable model's output and
 * confidence falls with poor coverage, an off-wrist sensor, missing features or no personal
 * baseline yet. A modality that is not consented or not seen is never filled in: it is listed in
 * `quality.unobserved` and confidence says there is nothing to go on.
 */
import type { Quality, ScoreWindow, Unobserved, WearableBlock } from '@attune/protocol';
import type { BaselineFeature, ZScores } from '../features/baseline-normaliser.ts';
import { BASELINE_FEATURES } from '../features/baseline-normaliser.ts';
import type { WindowFeatures } from '../features/window-features.ts';

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
}

export type FusionOutput = Pick<ScoreWindow, 'fused' | 'quality'> & { wearable?: WearableBlock };

/** A contribution (weight x z) must reach this much logit to be named as a driver. */
const DRIVER_MIN_LOGIT = 0.5;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
/** Keeps a value only if it fits the wire range; out-of-range readings are reported as unknown, not clamped into plausibility. */
const inRange = (x: number | null, lo: number, hi: number, digits: number) =>
  x === null || !Number.isFinite(x) || x < lo || x > hi ? null : round(x, digits);

function describeDriver(feature: BaselineFeature, obs: WearableObservation): string {
  const f = obs.features;
  const base = obs.baseline[feature];
  switch (feature) {
    case 'hrBpm':
      return base !== null
        ? `heart rate ${Math.round(f.hrBpm! - base)} bpm above baseline (${Math.round(f.hrBpm!)} vs ${Math.round(base)})`
        : `heart rate high at ${Math.round(f.hrBpm!)} bpm (no personal baseline yet)`;
    case 'rmssdMs':
      return base !== null
        ? `heart rate variability low (RMSSD ${Math.round(f.rmssdMs!)} ms, baseline ${Math.round(base)} ms)`
        : `heart rate variability low (RMSSD ${Math.round(f.rmssdMs!)} ms)`;
    case 'sclUs':
      return base !== null
        ? `skin conductance raised (${f.sclUs!.toFixed(1)} µS, baseline ${base.toFixed(1)} µS)`
        : `skin conductance high (${f.sclUs!.toFixed(1)} µS)`;
    case 'scrPerMin':
      return `skin conductance rising (${Math.round(f.scrPerMin!)} responses/min)`;
    case 'tempC':
      return base !== null
        ? `skin temperature falling (${(base - f.tempC!).toFixed(1)} °C below baseline)`
        : `skin temperature low (${f.tempC!.toFixed(1)} °C)`;
    case 'activityG':
      return 'moving more than usual';
  }
}

function wearableDrivers(obs: WearableObservation, weights: readonly number[]): string[] {
  if (!obs.features.onWrist) return ['wristband appears to be off the wrist'];
  const contributions = BASELINE_FEATURES.map((feature, i) => ({ feature, logit: (obs.z[feature] ?? 0) * weights[i]! }))
    .filter((c) => c.logit >= DRIVER_MIN_LOGIT)
    .sort((a, b) => b.logit - a.logit);
  const drivers = contributions.map((c) => describeDriver(c.feature, obs));
  // Movement lowers the score (confounder); say so when it is why arousal was discounted.
  if ((obs.z.activityG ?? 0) >= 2) drivers.push('moving: part of the arousal may be activity');
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

export function fuse(input: FusionInput): FusionOutput {
  const unobserved = new Set<Unobserved>();
  // No camera pipeline in this agent yet: the face is never observed.
  unobserved.add('face').add('expression').add('pain_face');

  const obs = input.wearableConsented ? input.wearable : null;
  if (!obs) {
    for (const u of ['heart_rate', 'hrv', 'eda', 'temperature', 'activity'] as const) unobserved.add(u);
    const quality: Quality = {
      wearableCoverage: input.wearableConsented ? 0 : null,
      faceCoverage: input.cameraConsented ? 0 : null,
      unobserved: [...unobserved],
    };
    return { fused: { distress: 0, confidence: 0, drivers: [] }, quality };
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

  const confidence = round(Math.max(0, Math.min(1, wearableConfidence(obs))), 2);
  return {
    fused: {
      distress: obs.distress === null ? 0 : round(obs.distress, 3),
      confidence,
      drivers: wearableDrivers(obs, input.weights),
    },
    wearable: block,
    quality: {
      wearableCoverage: round(Math.min(1, f.coverage), 2),
      faceCoverage: input.cameraConsented ? 0 : null,
      unobserved: [...unobserved],
    },
  };
}
