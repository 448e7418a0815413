/**
 * Fusion: turns what each consented modality observed into the `fused` block, the modality
 * blocks and `quality`.
 *
 * The wearable gives a distress estimate and a confidence (the model's output; confidence falls
 * with poor coverage, an off-wrist sensor, missing features or no personal baseline yet). The face
 * gives pain signs (PSPI, grimacing, frowning) and negative affect, every one of them measured
 * against the patient's own vetted neutral face, never as the classifier's absolute output; its
 * confidence is the window's face quality (seen, frontal, lit, steady, baseline learned).
 *
 * - Both observed: the wearable's distress leads and the face's pain signs may add to it, at most
 *   `FACE_MAX_ADD` of the way to 1. A calm wearable plus a grimace stays below the
 *   sustained-distress threshold: face evidence alone must never look like a physiological alarm
 *   (the server raises a medium "possible pain" alert from the face fields for that). A neutral
 *   face takes nothing away: stoic patients do not show pain.
 * - Only the face observed: fused distress is the face's own, reported honestly with its
 *   confidence. The server's sustained-distress rule ignores windows that carry no wearable
 *   distress; the possible-pain rule reads `face.pspi`, `face.painadFace` and `faceVisibleFraction`.
 * - A face below the quality floor, or not yet comparable with its neutral baseline, adds nothing.
 *
 * A modality that is not consented or not seen is never filled in: it is listed in
 * `quality.unobserved`, with the reason in `quality.unobservedReasons`, and adds nothing.
 */
import {
  type Driver,
  type DriverCode,
  type FaceBlock,
  type FaceUnobservedReason,
  type Quality,
  type ScoreWindow,
  type SourceState,
  type Unobserved,
  type WearableBlock,
  type WearableUnobservedReason,
} from '@attune/protocol';
import { FACE_QUALITY_FLOOR, NEGATIVE_EXPRESSIONS, type FaceObservation } from '../face/face-window.ts';
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
  /** What the camera source reported for this window (the status message's state); says why nothing came. */
  cameraSource?: SourceState;
  /** What the wearable source reported for this window. */
  wearableSource?: SourceState;
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

/** Driver code of each negative expression, when it rose most above the neutral face. */
const EXPRESSION_DRIVERS = { sad: 'looks_sad', fearful: 'looks_frightened', angry: 'looks_angry', disgusted: 'looks_disgusted' } as const;

/** The face's pain signs can raise the wearable's distress at most this share of the way to 1. */
export const FACE_MAX_ADD = 0.35;
/** Negative affect above the neutral face (0..1) from which it starts to count, and the rise that counts fully. */
const AFFECT_RISE_ONSET = 0.1;
const AFFECT_RISE_FULL = 0.5;

/**
 * Face distress, 0..1: pain signs (PSPI, grimacing) and the rise of negative affect above the
 * patient's neutral face, combined like independent evidence. 0 when nothing relative could be
 * measured (no baseline): the classifier's absolute output is never used.
 */
export function faceDistress(face: FaceObservation): number {
  const b = face.block;
  const rise = b.negativeAffectAboveBaseline ?? null;
  const affect = rise === null ? 0 : Math.max(0, Math.min(1, (rise - AFFECT_RISE_ONSET) / (AFFECT_RISE_FULL - AFFECT_RISE_ONSET)));
  const pain = b.pspi === null ? 0 : Math.max(Math.max(0, Math.min(1, (b.pspi - 1) / 7)), face.fractions.grimace);
  return 1 - (1 - 0.8 * affect) * (1 - pain);
}

/** Whether the face gives evidence this window can use: seen above the quality floor and measured against its neutral face. */
function faceEvidenceUsable(face: FaceObservation): boolean {
  return (
    face.quality >= FACE_QUALITY_FLOOR && face.baselineReady && (face.block.pspi !== null || face.block.negativeAffectAboveBaseline != null)
  );
}

function fuseFace(input: FusionInput, face: FaceObservation): FacePart {
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
  // The expression that rose most above the patient's neutral face names the driver.
  const change = (k: (typeof NEGATIVE_EXPRESSIONS)[number]) => face.meanExpressionChange?.[k] ?? 0;
  const negKey = (Object.keys(EXPRESSION_DRIVERS) as (keyof typeof EXPRESSION_DRIVERS)[]).reduce((a, k) => (change(k) > change(a) ? k : a));
  sign('face-negative', fr.upset >= 0.4, EXPRESSION_DRIVERS[negKey], fr.upset);
  return { distress: faceDistress(face), confidence: face.quality, drivers };
}

/** Forgets the face's running signs in a window where the face gave no usable evidence. */
function breakFaceStreaks(input: FusionInput): void {
  for (const key of ['face-grimace', 'face-brow-eyes', 'face-brow', 'face-negative']) track(input, key, false);
}

function faceReason(input: FusionInput): FaceUnobservedReason | null {
  if (!input.cameraConsented || input.cameraSource === 'no_consent') return 'no_consent';
  if (input.cameraSource === 'not_configured') return 'not_configured';
  if (input.cameraSource === 'error') return 'source_error';
  if (!input.face || input.face.framesAnalysed === 0) return 'no_frames';
  return input.face.unobservedReason;
}

function wearableReason(input: FusionInput): WearableUnobservedReason | null {
  if (!input.wearableConsented || input.wearableSource === 'no_consent') return 'no_consent';
  if (input.wearableSource === 'not_configured') return 'not_configured';
  if (input.wearableSource === 'error') return 'source_error';
  if (!input.wearable) return 'no_data';
  if (!input.wearable.features.onWrist) return 'off_wrist';
  return null;
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

  // The face block leaves the agent only for a face seen above the quality floor: below it, no
  // expression, action-unit or PSPI number is sent, and the face adds nothing.
  const seen = input.cameraConsented && input.face && input.face.framesWithFace > 0 ? input.face : null;
  const face = seen && seen.quality >= FACE_QUALITY_FLOOR ? seen : null;
  const facePart = face && faceEvidenceUsable(face) ? fuseFace(input, face) : null;
  if (!face) unobserved.add('face').add('expression').add('pain_face');
  else if (!facePart) unobserved.add('expression').add('pain_face').add('baseline');
  if (!facePart && input.cameraConsented) breakFaceStreaks(input);

  const wearableObserved = wearable.confidence > 0;
  let distress = 0;
  let confidence = 0;
  if (wearableObserved && facePart) {
    distress = wearable.distress + (1 - wearable.distress) * FACE_MAX_ADD * facePart.distress * facePart.confidence;
    // Seeing the face rules out pain signs the wearable cannot see: some added certainty.
    confidence = wearable.confidence + (1 - wearable.confidence) * 0.5 * facePart.confidence;
  } else if (wearableObserved) {
    distress = wearable.distress;
    confidence = wearable.confidence;
  } else if (facePart) {
    // Face alone: reported as measured. The server's sustained-distress rule ignores windows
    // without a wearable distress; face-only pain signs go to the medium-priority possible-pain rule.
    distress = facePart.distress;
    confidence = facePart.confidence;
  }

  // Drivers of the modality that contributes most come first; a face seen poorly says why.
  const parts = [
    { drivers: wearable.drivers, weight: wearable.confidence * wearable.distress },
    ...(facePart ? [{ drivers: facePart.drivers, weight: facePart.confidence * facePart.distress }] : []),
  ].sort((a, b) => b.weight - a.weight);
  const qualityNotes = seen && seen.quality < FACE_QUALITY_FLOOR ? seen.qualityNotes.slice(0, 2) : [];
  const drivers = [...parts.flatMap((p) => p.drivers), ...qualityNotes].slice(0, 6);

  const reasons: NonNullable<Quality['unobservedReasons']> = {};
  const whyFace = face && facePart ? null : faceReason(input);
  if (whyFace) reasons.face = whyFace;
  const whyWearable = wearableReason(input);
  if (whyWearable) reasons.wearable = whyWearable;

  const faceCoverage = !input.cameraConsented ? null : input.face ? input.face.block.faceVisibleFraction : 0;
  const quality: Quality = {
    wearableCoverage: wearable.coverage,
    faceCoverage,
    unobserved: [...unobserved],
    ...(Object.keys(reasons).length ? { unobservedReasons: reasons } : {}),
  };
  return {
    fused: { distress: round(Math.max(0, Math.min(1, distress)), 3), confidence: round(Math.max(0, Math.min(1, confidence)), 2), drivers },
    ...(wearable.block ? { wearable: wearable.block } : {}),
    ...(face ? { face: face.block } : {}),
    quality,
  };
}
