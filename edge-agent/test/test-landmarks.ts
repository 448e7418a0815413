/** Test helpers: a schematic frontal face as 468 landmarks (only the points the geometry reads are placed), and analysed frames of it. */
import { actionUnits, pspi } from '../src/face/action-units.ts';
import { EXPRESSION_KEYS, USABLE, wellLit, type ExpressionProbabilities, type FrameAnalysis } from '../src/face/face-window.ts';
import { faceMeasures, type Point3 } from '../src/face/landmarks.ts';
import type { NeutralFace } from '../src/face/neutral-baseline.ts';

export interface FaceShape {
  /** Brow height above the eye line (inter-ocular distance is 2). */
  browY?: number;
  /** Half of the lid opening. */
  lidHalf?: number;
  /** Inner lip gap. */
  mouthGap?: number;
  /** Half mouth width. */
  mouthHalf?: number;
  /** Subnasale to upper lip. */
  noseLip?: number;
  /** Yaw rotation in degrees (about the vertical axis). */
  yawDeg?: number;
  /** Scale and shift, as a camera would see it. */
  scale?: number;
  dx?: number;
}

export function schematicFace(shape: FaceShape = {}): Point3[] {
  const browY = shape.browY ?? 0.7;
  const lid = shape.lidHalf ?? 0.15;
  const gap = shape.mouthGap ?? 0.02;
  const mh = shape.mouthHalf ?? 0.7;
  const nl = shape.noseLip ?? 0.3;
  const pts: Point3[] = Array.from({ length: 468 }, () => [0, 0, 0] as Point3);
  const set = (i: number, x: number, y: number) => (pts[i] = [x, y, 0]);
  set(33, -1.5, 0);
  set(133, -0.5, 0);
  set(263, 1.5, 0);
  set(362, 0.5, 0);
  [160, 159, 158].forEach((i, k) => set(i, -1.25 + 0.25 * k, -lid));
  [144, 145, 153].forEach((i, k) => set(i, -1.25 + 0.25 * k, lid));
  [387, 386, 385].forEach((i, k) => set(i, 1.25 - 0.25 * k, -lid));
  [373, 374, 380].forEach((i, k) => set(i, 1.25 - 0.25 * k, lid));
  [105, 66, 107].forEach((i, k) => set(i, -1.2 + 0.3 * k, -browY));
  [334, 296, 336].forEach((i, k) => set(i, 1.2 - 0.3 * k, -browY));
  set(55, -0.4, -browY + 0.1);
  set(285, 0.4, -browY + 0.1);
  set(129, -0.35, 1.0);
  set(358, 0.35, 1.0);
  set(2, 0, 1.1);
  set(0, 0, 1.1 + nl);
  set(13, 0, 1.5);
  set(14, 0, 1.5 + gap);
  set(61, -mh, 1.55);
  set(291, mh, 1.55);
  set(10, 0, -1.8);
  set(152, 0, 2.6);
  const yaw = ((shape.yawDeg ?? 0) * Math.PI) / 180;
  const s = shape.scale ?? 1;
  const dx = shape.dx ?? 0;
  return pts.map(
    ([x, y, z]) => [s * (x * Math.cos(yaw) + z * Math.sin(yaw)) + dx, s * y, s * (-x * Math.sin(yaw) + z * Math.cos(yaw))] as Point3,
  );
}

export interface TestFrameOptions {
  /** Expression probabilities (default: fully neutral). */
  expression?: Partial<ExpressionProbabilities>;
  /** The neutral face the frame is measured against; null: no baseline yet. */
  neutral?: NeutralFace | null;
  yawDeg?: number;
  /** Landmark motion since the previous frame, inter-ocular units. */
  motion?: number | null;
  luma?: number;
  /** SD of luma in the face box; by default 0.35 x luma, the ratio measured on well-lit real faces. */
  lumaSd?: number;
}

/** Test helper: one analysed frame of a schematic face, measured against `neutral` the way the pipeline does. */
export function testFrame(shape: FaceShape | null, options: TestFrameOptions = {}): FrameAnalysis {
  if (!shape) return { tMs: 0, facesFound: 0, patient: null };
  const expression = {
    ...Object.fromEntries(EXPRESSION_KEYS.map((k) => [k, 0])),
    neutral: 1,
    ...options.expression,
  } as ExpressionProbabilities;
  const measures = faceMeasures(schematicFace(shape));
  const yawDeg = options.yawDeg ?? 0;
  const luma = options.luma ?? 120;
  const lumaSd = options.lumaSd ?? 0.35 * luma;
  const usable = Math.abs(yawDeg) <= USABLE.maxYawDeg && wellLit(luma, lumaSd);
  const neutral = options.neutral ?? null;
  const au = usable && neutral ? actionUnits(measures, neutral.measures) : null;
  return {
    tMs: 0,
    facesFound: 1,
    patient: {
      detectorScore: 0.9,
      box: { x1: 0, y1: 0, x2: 100, y2: 100 },
      expression,
      expressionChange: neutral
        ? (Object.fromEntries(EXPRESSION_KEYS.map((k) => [k, expression[k] - neutral.expression[k]])) as ExpressionProbabilities)
        : null,
      pose: { yawDeg, pitchDeg: 0, rollDeg: 0 },
      luma,
      lumaSd,
      motion: options.motion === undefined ? 0.01 : options.motion,
      measures,
      au,
      pspi: au ? pspi(au) : null,
      usable,
    },
  };
}

/** Test helper: a neutral face learned from `shape` with the given resting expression. */
export function testNeutral(shape: FaceShape = {}, expression: Partial<ExpressionProbabilities> = {}): NeutralFace {
  const e = { ...Object.fromEntries(EXPRESSION_KEYS.map((k) => [k, 0])), neutral: 1, ...expression } as ExpressionProbabilities;
  return {
    measures: faceMeasures(schematicFace(shape)),
    expression: e,
    negativeAffect: e.sad + e.angry + e.fearful + e.disgusted,
    vettedBy: 'wearable_calm',
    wearableDistress: 0.1,
    periodsAgreeing: 0,
    replacements: 0,
  };
}
