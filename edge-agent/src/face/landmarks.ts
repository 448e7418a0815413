/**
 * Geometry on the 468 FaceMesh landmarks (MediaPipe canonical topology): the facial measures the
 * pain action units are read from, head pose and landmark stability. Every distance is divided
 * by the inter-ocular distance (centre of one eye to the other), so measures do not change with
 * the face's distance from the camera, and 3-D distances are used so moderate head turns change
 * them little.
 *
 * Index reference: MediaPipe face_mesh canonical model (mesh_map.jpg). "Right" is the subject's
 * right, which appears on the left of an unmirrored image.
 */
export type Point3 = readonly [number, number, number];
export type Landmarks = readonly Point3[];

export const LM = {
  rightEyeOuter: 33,
  rightEyeInner: 133,
  rightEyeUpper: [160, 159, 158],
  rightEyeLower: [144, 145, 153],
  leftEyeOuter: 263,
  leftEyeInner: 362,
  leftEyeUpper: [387, 386, 385],
  leftEyeLower: [373, 374, 380],
  /** Upper brow contour, medial half (the part corrugator and depressor supercilii pull down). */
  rightBrowInner: [105, 66, 107],
  leftBrowInner: [334, 296, 336],
  /** Lower edge of the brow heads, nearest the midline (drawn together in AU4). */
  rightBrowHead: 55,
  leftBrowHead: 285,
  /** Nose wings (alae), raised by levator labii superioris alaeque nasi in AU9. */
  rightAla: 129,
  leftAla: 358,
  subnasale: 2,
  upperLipTop: 0,
  upperLipInner: 13,
  lowerLipInner: 14,
  mouthRight: 61,
  mouthLeft: 291,
  forehead: 10,
  chin: 152,
} as const;

export const dist = (a: Point3, b: Point3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const mid = (a: Point3, b: Point3): Point3 => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const meanPoint = (lm: Landmarks, idx: readonly number[]): Point3 => {
  let x = 0;
  let y = 0;
  let z = 0;
  for (const i of idx) {
    x += lm[i]![0];
    y += lm[i]![1];
    z += lm[i]![2];
  }
  return [x / idx.length, y / idx.length, z / idx.length];
};

/** Inter-ocular distance: between the eye centres (midpoints of the eye corners). */
export function interOcular(lm: Landmarks): number {
  return dist(mid(lm[LM.rightEyeOuter]!, lm[LM.rightEyeInner]!), mid(lm[LM.leftEyeOuter]!, lm[LM.leftEyeInner]!));
}

/** The measures the action units are read from, all in inter-ocular units or as ratios. */
export interface FaceMeasures {
  /** Medial brow to the eye centre, mean of both sides (falls with AU4). */
  browEye: number;
  /** Between the brow heads (falls as AU4 draws the brows together). */
  browGap: number;
  /** Eye aspect ratio: lid opening / eye width, mean of both eyes (falls with AU6/7, ~0 with AU43). */
  eyeOpen: number;
  /** Subnasale to the top of the upper lip (falls with AU10). */
  noseLip: number;
  /** Nose wings to the inner eye corners (falls with AU9). */
  noseEye: number;
  /** Inner lip gap (rises with AU25/26/27). */
  mouthOpen: number;
  /** Mouth corner to corner (rises with AU20). */
  mouthWidth: number;
}

export const MEASURE_KEYS = [
  'browEye',
  'browGap',
  'eyeOpen',
  'noseLip',
  'noseEye',
  'mouthOpen',
  'mouthWidth',
] as const satisfies readonly (keyof FaceMeasures)[];

function eyeAspect(lm: Landmarks, upper: readonly number[], lower: readonly number[], outer: number, inner: number): number {
  const opening = mean(upper.map((u, i) => dist(lm[u]!, lm[lower[i]!]!)));
  return opening / dist(lm[outer]!, lm[inner]!);
}

export function faceMeasures(lm: Landmarks): FaceMeasures {
  if (lm.length < 468) throw new Error(`expected 468 landmarks, got ${lm.length}`);
  const iod = interOcular(lm);
  const n = (d: number) => d / iod;
  const rightBrow = meanPoint(lm, LM.rightBrowInner);
  const leftBrow = meanPoint(lm, LM.leftBrowInner);
  return {
    // To the eye-corner midpoint, not the lid: closing the eyes must not read as raised brows.
    browEye: n(
      mean([
        dist(rightBrow, mid(lm[LM.rightEyeOuter]!, lm[LM.rightEyeInner]!)),
        dist(leftBrow, mid(lm[LM.leftEyeOuter]!, lm[LM.leftEyeInner]!)),
      ]),
    ),
    browGap: n(dist(lm[LM.rightBrowHead]!, lm[LM.leftBrowHead]!)),
    eyeOpen: mean([
      eyeAspect(lm, LM.rightEyeUpper, LM.rightEyeLower, LM.rightEyeOuter, LM.rightEyeInner),
      eyeAspect(lm, LM.leftEyeUpper, LM.leftEyeLower, LM.leftEyeOuter, LM.leftEyeInner),
    ]),
    noseLip: n(dist(lm[LM.subnasale]!, lm[LM.upperLipTop]!)),
    noseEye: n(mean([dist(lm[LM.rightAla]!, lm[LM.rightEyeInner]!), dist(lm[LM.leftAla]!, lm[LM.leftEyeInner]!)])),
    mouthOpen: n(dist(lm[LM.upperLipInner]!, lm[LM.lowerLipInner]!)),
    mouthWidth: n(dist(lm[LM.mouthRight]!, lm[LM.mouthLeft]!)),
  };
}

export interface HeadPose {
  /** Turn left/right, degrees (0 = facing the camera). */
  yawDeg: number;
  /** Nod up/down, degrees. */
  pitchDeg: number;
  /** Tilt in the image plane, degrees. */
  rollDeg: number;
}

const deg = (rad: number) => (rad * 180) / Math.PI;

/** Head pose from the mesh's 3-D landmarks: the eye-corner line for yaw and roll, forehead-to-chin for pitch. */
export function headPose(lm: Landmarks): HeadPose {
  const r = lm[LM.rightEyeOuter]!;
  const l = lm[LM.leftEyeOuter]!;
  const top = lm[LM.forehead]!;
  const chin = lm[LM.chin]!;
  const dx = l[0] - r[0];
  return {
    yawDeg: deg(Math.atan2(l[2] - r[2], Math.abs(dx))),
    pitchDeg: deg(Math.atan2(chin[2] - top[2], chin[1] - top[1])),
    rollDeg: deg(Math.atan2(l[1] - r[1], dx)),
  };
}

/**
 * Landmark jitter between two frames of the same face: RMS displacement after removing the
 * translation of the centroid, in inter-ocular units (0 = still; 0.1 = a tenth of the eye
 * distance per frame, i.e. talking, grimacing or a poor track).
 */
export function landmarkMotion(prev: Landmarks, cur: Landmarks): number {
  const n = Math.min(prev.length, cur.length);
  let px = 0;
  let py = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < n; i++) {
    px += prev[i]![0];
    py += prev[i]![1];
    cx += cur[i]![0];
    cy += cur[i]![1];
  }
  const tx = (cx - px) / n;
  const ty = (cy - py) / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (cur[i]![0] - prev[i]![0] - tx) ** 2 + (cur[i]![1] - prev[i]![1] - ty) ** 2;
  return Math.sqrt(ss / n) / interOcular(cur);
}
