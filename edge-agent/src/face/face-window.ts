/**
 * One score window of the face pipeline: per-frame measurements in, the protocol's face block
 * plus what fusion needs (quality, how often each sign was seen) out. Per-frame records hold only
 * numbers and are dropped when the window closes.
 */
import type { Driver, FaceBlock, FaceUnobservedReason, PainadFaceBasis } from '@attune/protocol';
import type { ActionUnits } from './action-units.ts';
import type { Box } from './image-ops.ts';
import type { FaceMeasures, HeadPose } from './landmarks.ts';
import { clamp01, mean, median } from './statistics.ts';

export const EXPRESSION_KEYS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type ExpressionKey = (typeof EXPRESSION_KEYS)[number];
export type ExpressionProbabilities = Record<ExpressionKey, number>;
export const NEGATIVE_EXPRESSIONS = ['sad', 'angry', 'fearful', 'disgusted'] as const satisfies readonly ExpressionKey[];

export interface PatientFace {
  detectorScore: number;
  box: Box;
  /** The classifier's absolute output: reported, but never evidence by itself (see neutral-baseline.ts). */
  expression: ExpressionProbabilities;
  /**
   * Expression probabilities minus the patient's neutral face's, per class (-1..1); null before a
   * vetted neutral baseline exists. This, not `expression`, is what counts.
   */
  expressionChange: ExpressionProbabilities | null;
  pose: HeadPose;
  /** Mean luma of the face box, 0..255. */
  luma: number;
  /** Standard deviation of luma in the face box, 0..255: how well the face's features stand apart. */
  lumaSd: number;
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

/**
 * Pose and light limits for reading action units from geometry.
 *
 * A face is too dark to read when its features cannot be told apart, not when its skin is dark. The
 * first version required a mean brightness of 40/255: in the face-fairness sweep
 * (test/bench/face-fairness) that rejected every face recoloured to dark skin in a dim room while
 * passing very light and intermediate tones in the same light. Light is now judged by contrast, the
 * SD of luma in the face box (>= 14/255; well-lit faces measure 40-60, the darkest dim-room faces
 * 13-24, a washed-out x0.25-contrast image 8-17), with an absolute floor only for a nearly black
 * frame and a ceiling for clipped overexposure.
 */
export const USABLE = { maxYawDeg: 30, maxPitchDeg: 30, minLuma: 15, maxLuma: 225, minLumaSd: 14 } as const;

/** Whether the face is lit well enough to read (see USABLE). */
export function wellLit(luma: number, lumaSd: number): boolean {
  return luma >= USABLE.minLuma && luma <= USABLE.maxLuma && lumaSd >= USABLE.minLumaSd;
}

/**
 * Below this window quality (0..1) the face is treated as not observed: no expression, action-unit
 * or PSPI numbers leave the agent and the face adds nothing to fused distress. 0.4 is reached by a
 * face seen in about half the frames, or frontal and lit in under half of them, or moving a lot.
 */
export const FACE_QUALITY_FLOOR = 0.4;

/** Negative affect this far above the patient's neutral face (0..1) makes a frame look upset. */
export const UPSET_RISE = 0.25;

/** Per-frame thresholds of the PAINAD mapping (FACS intensities 0..5, PSPI 0..16). */
export const PAIN_SIGN = { browLowered: 1.5, secondUnit: 1.5, grimacePspi: 4 } as const;

export interface FaceObservation {
  block: FaceBlock;
  framesAnalysed: number;
  framesWithFace: number;
  /** Frames with a face that was frontal and lit well enough. */
  framesUsable: number;
  baselineReady: boolean;
  /**
   * Fractions of frames with the patient's face (frames with action units for the AU-based ones;
   * frames measured against the neutral baseline for `upset`).
   */
  fractions: { browAndEyes: number; browLowered: number; grimace: number; eyesClosed: number; upset: number };
  /** Mean change of each expression's probability against the neutral face; null before a baseline. */
  meanExpressionChange: ExpressionProbabilities | null;
  /** Median landmark motion, inter-ocular units (null with fewer than two face frames). */
  motion: number | null;
  meanLuma: number | null;
  /** 0..1: how much this window's face evidence can be trusted. */
  quality: number;
  /** Why quality is reduced, as driver codes (reported as drivers when quality is poor). */
  qualityNotes: Driver[];
  /**
   * Why the face's evidence is not usable in this window, or null when it is: below the quality
   * floor (`face_not_found`, `poor_light`, `turned_away`, `moving`), or seen well but not yet
   * comparable with the patient's own neutral face (`learning_baseline`).
   */
  unobservedReason: FaceUnobservedReason | null;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
/** Sum of the negative expressions' probabilities (or of their changes against the neutral face). */
export const negativeSum = (e: ExpressionProbabilities) => NEGATIVE_EXPRESSIONS.reduce((s, k) => s + e[k], 0);

/** A frame shows brow lowering (AU4), the sign PAINAD calls a frown. */
export function isBrowLowered(au: ActionUnits): boolean {
  return au.au4BrowLowering >= PAIN_SIGN.browLowered;
}

/**
 * A frame shows grimacing: PSPI 4+ carried by brow lowering together with orbital tightening or
 * nose wrinkle / lip raise. Mouth opening plays no part (see action-units.ts).
 */
export function isGrimace(au: ActionUnits, p: number): boolean {
  return (
    p >= PAIN_SIGN.grimacePspi &&
    isBrowLowered(au) &&
    Math.max(au.au6au7OrbitalTightening, au.au9au10NoseWrinkleLipRaise) >= PAIN_SIGN.secondUnit
  );
}

export function summariseFaceWindow(frames: readonly FrameAnalysis[], baselineReady: boolean): FaceObservation {
  const faces = frames.map((f) => f.patient).filter((p): p is PatientFace => p !== null);
  const usable = faces.filter((p) => p.usable);
  const withAu = usable.filter((p): p is PatientFace & { au: ActionUnits; pspi: number } => p.au !== null && p.pspi !== null);
  const relative = faces.filter((p): p is PatientFace & { expressionChange: ExpressionProbabilities } => p.expressionChange !== null);
  const n = frames.length;
  const frac = (count: number, of: number) => (of ? count / of : 0);

  const expression = Object.fromEntries(
    EXPRESSION_KEYS.map((k) => [k, round(clamp01(mean(faces.map((p) => p.expression[k]))))]),
  ) as ExpressionProbabilities;
  const negativeAffect = round(clamp01(mean(faces.map((p) => negativeSum(p.expression)))));
  const negativeAffectChanges = relative.map((p) => negativeSum(p.expressionChange));
  // A face less negative than its neutral is not "negative distress": the change is floored at 0.
  const negativeAffectAboveBaseline = baselineReady && relative.length ? round(clamp01(mean(negativeAffectChanges))) : null;
  const meanExpressionChange =
    baselineReady && relative.length
      ? (Object.fromEntries(EXPRESSION_KEYS.map((k) => [k, mean(relative.map((p) => p.expressionChange[k]))])) as ExpressionProbabilities)
      : null;
  const grimaceFrames = withAu.filter((p) => isGrimace(p.au, p.pspi));
  const fractions = {
    browAndEyes: frac(
      withAu.filter((p) => isBrowLowered(p.au) && p.au.au6au7OrbitalTightening >= PAIN_SIGN.secondUnit).length,
      withAu.length,
    ),
    browLowered: frac(withAu.filter((p) => isBrowLowered(p.au)).length, withAu.length),
    grimace: frac(grimaceFrames.length, withAu.length),
    eyesClosed: frac(withAu.filter((p) => p.au.au43EyeClosure >= 0.5).length, withAu.length),
    upset: frac(negativeAffectChanges.filter((c) => c >= UPSET_RISE).length, relative.length),
  };
  const auMean = (k: keyof ActionUnits) => mean(withAu.map((p) => p.au[k]));
  const meanPspi = withAu.length ? mean(withAu.map((p) => p.pspi)) : null;

  const painad = painadFaceItem({
    frames: n,
    faces: faces.length,
    withAu: withAu.length,
    baselineReady,
    fractions,
    grimacePspi: grimaceFrames.length ? mean(grimaceFrames.map((p) => p.pspi)) : null,
  });

  const block: FaceBlock = {
    framesAnalysed: Math.min(600, n),
    faceVisibleFraction: round(frac(faces.length, n)),
    negativeAffect,
    negativeAffectAboveBaseline,
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
  const turnedShare = frac(
    faces.filter((p) => Math.abs(p.pose.yawDeg) > USABLE.maxYawDeg || Math.abs(p.pose.pitchDeg) > USABLE.maxPitchDeg).length,
    faces.length,
  );
  // Badly lit: too little contrast to read (dim, or washed out) or clipped; "too dark" when it is dim.
  const badlyLit = faces.filter((p) => !wellLit(p.luma, p.lumaSd));
  const darkShare = frac(badlyLit.filter((p) => p.luma < 128).length, faces.length);
  const badLightShare = frac(badlyLit.length, faces.length);
  if (faces.length && usableShare < 0.5) {
    if (turnedShare > 0) notes.push({ code: 'face_turned_away', value: round(turnedShare, 2), unit: 'fraction' });
    if (darkShare > 0) notes.push({ code: 'face_too_dark', value: round(darkShare, 2), unit: 'fraction' });
  }
  const steadiness = motion === null ? 1 : 1 - 0.5 * clamp01((motion - 0.03) / 0.1);
  const unsteady = motion !== null && motion > 0.08;
  if (unsteady) notes.push({ code: 'face_unsteady' });
  if (!baselineReady && faces.length) notes.push({ code: 'face_baseline_learning' });
  const quality = clamp01(0.9 * visible * (0.3 + 0.7 * usableShare) * steadiness * (baselineReady ? 1 : 0.6));

  let unobservedReason: FaceUnobservedReason | null = null;
  if (faces.length === 0) unobservedReason = 'face_not_found';
  else if (quality < FACE_QUALITY_FLOOR) {
    // The largest shortfall names the reason: light, head turn, the face missing from frames, movement.
    const shortfalls: [FaceUnobservedReason, number][] = [
      ['poor_light', badLightShare],
      ['turned_away', turnedShare],
      ['face_not_found', 1 - visible],
      ['moving', unsteady ? 0.5 : 0],
    ];
    unobservedReason = shortfalls.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  } else if (!baselineReady) unobservedReason = 'learning_baseline';

  return {
    block,
    framesAnalysed: n,
    framesWithFace: faces.length,
    framesUsable: usable.length,
    baselineReady,
    fractions,
    meanExpressionChange,
    motion,
    meanLuma,
    quality,
    qualityNotes: notes,
    unobservedReason,
  };
}

interface PainadEvidence {
  frames: number;
  faces: number;
  withAu: number;
  baselineReady: boolean;
  fractions: FaceObservation['fractions'];
  /** Mean PSPI over the grimacing frames, null without any. */
  grimacePspi: number | null;
}

/** Share of frames a sign must reach to score (one odd frame does not). */
const PAINAD_MIN_FRACTION = 0.3;
/** Share of frames that must look upset (against the neutral face) for PAINAD 1. */
const PAINAD_UPSET_MIN_FRACTION = 0.4;

/**
 * PAINAD item 4, "facial expression" (Warden, Hurley & Volicer, J Am Med Dir Assoc 2003):
 * 0 smiling or inexpressive, 1 sad / frightened / frown, 2 facial grimacing. Derived from PSPI and
 * its units, per frame measured against the patient's neutral face:
 * - 2 (grimacing): PSPI >= 4 with AU4 >= 1.5 and max(AU6/7, AU9/10) >= 1.5, in >= 30% of frames;
 * - 1 (frowning): AU4 >= 1.5 in >= 30% of frames;
 * - 1 (looks upset): negative affect >= 0.25 above the neutral face's in >= 40% of frames;
 * - 0 (relaxed): none of these.
 * Mouth opening counts for nothing. Without a vetted neutral face, or without a frontal, lit frame,
 * the item is not scored (null): an unread face is not a relaxed one. The basis is a code with its
 * numbers; the server words it for the nurse.
 */
export function painadFaceItem(e: PainadEvidence): { item: 0 | 1 | 2 | null; basis: PainadFaceBasis } {
  if (e.frames === 0) return { item: null, basis: { code: 'no_frames' } };
  if (e.faces === 0) return { item: null, basis: { code: 'face_not_seen', frames: Math.min(600, e.frames) } };
  if (!e.baselineReady) return { item: null, basis: { code: 'inexpressive_learning_baseline' } };
  if (e.withAu === 0) return { item: null, basis: { code: 'inexpressive_not_frontal' } };
  const f = e.fractions;
  if (f.grimace >= PAINAD_MIN_FRACTION && e.grimacePspi !== null) {
    return {
      item: 2,
      basis: { code: 'grimacing', fraction: round(f.grimace, 2), pspi: round(Math.min(16, Math.max(0, e.grimacePspi)), 1) },
    };
  }
  if (f.browLowered >= PAINAD_MIN_FRACTION) return { item: 1, basis: { code: 'frowning', fraction: round(f.browLowered, 2) } };
  if (f.upset >= PAINAD_UPSET_MIN_FRACTION) return { item: 1, basis: { code: 'looks_upset', fraction: round(f.upset, 2) } };
  return { item: 0, basis: { code: 'relaxed', frames: Math.min(600, e.withAu) } };
}
