/**
 * One score window of the face pipeline: per-frame measurements in, the protocol's face block
 * plus what fusion needs (quality, how often each sign was seen) out. Per-frame records hold only
 * numbers and are dropped when the window closes.
 */
import type { Driver, FaceBlock, PainadFaceBasis } from '@attune/protocol';
import type { ActionUnits } from './action-units.ts';
import type { Box } from './image-ops.ts';
import type { FaceMeasures, HeadPose } from './landmarks.ts';

export const EXPRESSION_KEYS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type ExpressionKey = (typeof EXPRESSION_KEYS)[number];
export type ExpressionProbabilities = Record<ExpressionKey, number>;
export const NEGATIVE_EXPRESSIONS = ['sad', 'angry', 'fearful', 'disgusted'] as const satisfies readonly ExpressionKey[];

export interface PatientFace {
  detectorScore: number;
  box: Box;
  expression: ExpressionProbabilities;
  pose: HeadPose;
  /** Mean luma of the face box, 0..255. */
  luma: number;
  /** Landmark motion since the previous frame with a face (inter-ocular units), null for the first. */
  motion: number | null;
  measures: FaceMeasures;
  /** Against the patient's baseline; null before a baseline exists or when the pose is too far off. */
  au: ActionUnits | null;
  pspi: number | null;
  /** Frontal enough and lit well enough for geometry to mean something. */
  usable: boolean;
}

export interface FrameAnalysis {
  tMs: number;
  /** Faces the detector found (the patient's and anybody else's). */
  facesFound: number;
  patient: PatientFace | null;
}

/** Pose and light limits for reading action units from geometry. */
export const USABLE = { maxYawDeg: 30, maxPitchDeg: 30, minLuma: 40, maxLuma: 225 } as const;

export interface FaceObservation {
  block: FaceBlock;
  framesAnalysed: number;
  framesWithFace: number;
  /** Frames with a face that was frontal and lit well enough. */
  framesUsable: number;
  baselineReady: boolean;
  /** Fractions of frames with the patient's face (usable frames for AU-based ones). */
  fractions: { browAndEyes: number; browLowered: number; grimace: number; mouthOpen: number; eyesClosed: number; negativeTop: number };
  /** Median landmark motion, inter-ocular units (null with fewer than two face frames). */
  motion: number | null;
  meanLuma: number | null;
  /** 0..1: how much this window's face evidence can be trusted. */
  quality: number;
  /** Why quality is reduced, as driver codes (reported as drivers when quality is poor). */
  qualityNotes: Driver[];
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const clamp01 = (x: number) => Math.max(0, Math.min(1, x));
const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);

/** A frame shows grimacing: a PSPI of 4+ carried by brow lowering and eye or nose/lip action. */
export function isGrimace(au: ActionUnits, p: number): boolean {
  return (
    p >= 4 &&
    au.au4BrowLowering >= 1.5 &&
    (au.au6au7OrbitalTightening >= 1.5 || au.au9au10NoseWrinkleLipRaise >= 1.5 || au.au20au25au27MouthStretchOpen >= 2)
  );
}

export function summariseFaceWindow(frames: readonly FrameAnalysis[], baselineReady: boolean): FaceObservation {
  const faces = frames.map((f) => f.patient).filter((p): p is PatientFace => p !== null);
  const usable = faces.filter((p) => p.usable);
  const withAu = usable.filter((p): p is PatientFace & { au: ActionUnits; pspi: number } => p.au !== null && p.pspi !== null);
  const n = frames.length;
  const frac = (count: number, of: number) => (of ? count / of : 0);

  const expression = Object.fromEntries(
    EXPRESSION_KEYS.map((k) => [k, round(clamp01(mean(faces.map((p) => p.expression[k]))))]),
  ) as ExpressionProbabilities;
  const negativeAffect = round(clamp01(mean(faces.map((p) => NEGATIVE_EXPRESSIONS.reduce((s, k) => s + p.expression[k], 0)))));
  const topIsNegative = (p: PatientFace) => {
    const top = EXPRESSION_KEYS.reduce((a, b) => (p.expression[b] > p.expression[a] ? b : a));
    return (NEGATIVE_EXPRESSIONS as readonly string[]).includes(top);
  };
  const fractions = {
    browAndEyes: frac(withAu.filter((p) => p.au.au4BrowLowering >= 1.5 && p.au.au6au7OrbitalTightening >= 1.5).length, withAu.length),
    browLowered: frac(withAu.filter((p) => p.au.au4BrowLowering >= 1.5).length, withAu.length),
    grimace: frac(withAu.filter((p) => isGrimace(p.au, p.pspi)).length, withAu.length),
    mouthOpen: frac(withAu.filter((p) => p.au.au20au25au27MouthStretchOpen >= 2).length, withAu.length),
    eyesClosed: frac(withAu.filter((p) => p.au.au43EyeClosure >= 0.5).length, withAu.length),
    negativeTop: frac(faces.filter(topIsNegative).length, faces.length),
  };
  const auMean = (k: keyof ActionUnits) => mean(withAu.map((p) => p.au[k]));
  const meanPspi = withAu.length ? mean(withAu.map((p) => p.pspi)) : null;

  const painad = painadFaceItem({
    frames: n,
    faces: faces.length,
    usable: usable.length,
    withAu: withAu.length,
    baselineReady,
    fractions,
    meanPspi,
    negativeAffect,
  });

  const block: FaceBlock = {
    framesAnalysed: Math.min(600, n),
    faceVisibleFraction: round(frac(faces.length, n)),
    negativeAffect,
    expression,
    pspi: meanPspi === null || !baselineReady ? null : round(Math.min(16, meanPspi), 2),
    painadFace: painad.item,
    painadFaceBasis: painad.basis,
    // Before the patient's neutral face is known nothing is measured: null, never zeros.
    actionUnits:
      !baselineReady || withAu.length === 0
        ? null
        : {
            au4BrowLowering: round(auMean('au4BrowLowering'), 2),
            au6au7OrbitalTightening: round(auMean('au6au7OrbitalTightening'), 2),
            au9au10NoseWrinkleLipRaise: round(auMean('au9au10NoseWrinkleLipRaise'), 2),
            au43EyeClosure: round(clamp01(auMean('au43EyeClosure')), 2),
            au20au25au27MouthStretchOpen: round(auMean('au20au25au27MouthStretchOpen'), 2),
          },
  };

  // Quality: seen, frontal and lit, steady, and measured against the patient's own neutral face.
  const motions = faces.map((p) => p.motion).filter((m): m is number => m !== null);
  const motion = motions.length ? median(motions) : null;
  const lumas = faces.map((p) => p.luma);
  const meanLuma = lumas.length ? mean(lumas) : null;
  const notes: Driver[] = [];
  const visible = frac(faces.length, n);
  const usableShare = frac(usable.length, faces.length);
  if (faces.length && usableShare < 0.5) {
    const turned = faces.filter((p) => Math.abs(p.pose.yawDeg) > USABLE.maxYawDeg || Math.abs(p.pose.pitchDeg) > USABLE.maxPitchDeg).length;
    const dark = faces.filter((p) => p.luma < USABLE.minLuma).length;
    if (turned) notes.push({ code: 'face_turned_away', value: round(frac(turned, faces.length), 2), unit: 'fraction' });
    if (dark) notes.push({ code: 'face_too_dark', value: round(frac(dark, faces.length), 2), unit: 'fraction' });
  }
  const steadiness = motion === null ? 1 : 1 - 0.5 * clamp01((motion - 0.03) / 0.1);
  if (motion !== null && motion > 0.08) notes.push({ code: 'face_unsteady' });
  if (!baselineReady && faces.length) notes.push({ code: 'face_baseline_learning' });
  const quality = clamp01(0.9 * visible * (0.3 + 0.7 * usableShare) * steadiness * (baselineReady ? 1 : 0.6));
  return {
    block,
    framesAnalysed: n,
    framesWithFace: faces.length,
    framesUsable: usable.length,
    baselineReady,
    fractions,
    motion,
    meanLuma,
    quality,
    qualityNotes: notes,
  };
}

interface PainadEvidence {
  frames: number;
  faces: number;
  usable: number;
  withAu: number;
  baselineReady: boolean;
  fractions: FaceObservation['fractions'];
  meanPspi: number | null;
  negativeAffect: number;
}

/**
 * PAINAD item 4, "facial expression" (Warden, Hurley & Volicer, J Am Med Dir Assoc 2003):
 * 0 smiling or inexpressive, 1 sad / frightened / frown, 2 facial grimacing. A sign must be
 * present in at least 30% of the window's usable frames, so one odd frame does not score. The
 * basis is a code with its numbers; the server words it for the nurse.
 */
export function painadFaceItem(e: PainadEvidence): { item: 0 | 1 | 2 | null; basis: PainadFaceBasis } {
  if (e.frames === 0) return { item: null, basis: { code: 'no_frames' } };
  if (e.faces === 0) return { item: null, basis: { code: 'face_not_seen', frames: Math.min(600, e.frames) } };
  const f = e.fractions;
  if (e.withAu > 0) {
    if (f.grimace >= 0.3) {
      return {
        item: 2,
        basis: { code: 'grimacing', fraction: round(f.grimace, 2), pspi: round(Math.min(16, Math.max(0, e.meanPspi!)), 1) },
      };
    }
    if (f.browLowered >= 0.3) return { item: 1, basis: { code: 'frowning', fraction: round(f.browLowered, 2) } };
  }
  if (f.negativeTop >= 0.4) return { item: 1, basis: { code: 'looks_upset', fraction: round(f.negativeTop, 2) } };
  if (e.withAu === 0) {
    return { item: 0, basis: { code: e.baselineReady ? 'inexpressive_not_frontal' : 'inexpressive_learning_baseline' } };
  }
  return { item: 0, basis: { code: 'relaxed', frames: Math.min(600, e.withAu) } };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
