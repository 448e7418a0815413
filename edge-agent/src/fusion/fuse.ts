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
import type { FaceBlock, Quality, ScoreWindow, Unobserved, WearableBlock } from '@attune/protocol';
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
  let drivers = wearableDrivers(obs, input.weights);
  const hrAbove = f.onWrist && f.hrBpm !== null && obs.baseline.hrBpm !== null && f.hrBpm - obs.baseline.hrBpm >= 10;
  const since = track(input, 'heart-rate-above-baseline', hrAbove);
  if (since) drivers = drivers.map((d) => (d.startsWith('heart rate ') && d.includes('above baseline') ? `${d} ${since}` : d));
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
  drivers: string[];
  block?: WearableBlock;
  coverage: number | null;
}

interface FacePart {
  distress: number;
  confidence: number;
  drivers: string[];
}

/** Marks a sign present/absent in this window and returns "for 4 min" once it has lasted 2+ windows. */
function track(input: FusionInput, key: string, active: boolean): string | null {
  if (!input.persistence || input.windowStartMs === undefined || input.windowEndMs === undefined) return null;
  return input.persistence.update(key, active, input.windowStartMs, input.windowEndMs);
}

const EXPRESSION_WORDS: Record<string, string> = { sad: 'sad', fearful: 'frightened', angry: 'angry', disgusted: 'disgusted' };
const pct = (f: number) => `${Math.round(f * 100)}%`;

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
  const drivers: string[] = [];
  const with_ = (key: string, active: boolean, text: string) => {
    const since = track(input, key, active);
    if (active) drivers.push(since ? `${text} ${since}` : text);
  };
  with_('face-grimace', fr.grimace >= 0.3, `grimacing in ${pct(fr.grimace)} of frames (PSPI ${(b.pspi ?? 0).toFixed(1)} of 16)`);
  if (fr.browAndEyes >= 0.3) with_('face-brow-eyes', true, `brow lowered and eyes tightened in ${pct(fr.browAndEyes)} of frames`);
  else with_('face-brow', fr.browLowered >= 0.3, `brow lowered (frowning) in ${pct(fr.browLowered)} of frames`);
  with_('face-mouth', fr.mouthOpen >= 0.3 && fr.grimace >= 0.3, `mouth stretched open in ${pct(fr.mouthOpen)} of frames`);
  const negKey = (Object.keys(EXPRESSION_WORDS) as (keyof typeof b.expression)[]).reduce(
    (a, k) => (b.expression[k] > b.expression[a] ? k : a),
    'sad',
  );
  with_('face-negative', fr.negativeTop >= 0.4, `looks ${EXPRESSION_WORDS[negKey]} in ${pct(fr.negativeTop)} of frames`);
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
    .map((d) => (d.length > 160 ? `${d.slice(0, 157)}...` : d))
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
