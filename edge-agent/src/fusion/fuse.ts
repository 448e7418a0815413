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
import { codedDriver, fuseWearable, type WearableObservation } from './wearable-part.ts';

export { codedDriver, type WearableObservation };

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

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

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
  const wearable = fuseWearable(
    input.wearableConsented ? input.wearable : null,
    input.wearableConsented,
    input.weights,
    unobserved,
    (key, active) => track(input, key, active),
  );

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
