/**
 * The sweep's conditions: each turns one fixture (with its reference detection and landmarks) into
 * a transformed frame, the known map of a reference point into it, and the face box expected there.
 * Photometric conditions move nothing; pose conditions move points by their warp.
 */
import type { Box } from '@attune/edge-agent/face';
import {
  colourCast,
  contrast,
  cylinderTurn,
  cylinderTurnPoint,
  exposure,
  featherMask,
  gaussianNoise,
  polygonMask,
  rotateAbout,
  rotatePoint,
  shiftSkinHueChroma,
  shiftSkinTone,
  sideLight,
  subtractMask,
  translate,
  type Mask,
  type Point2,
  type RgbImage,
  type SkinTarget,
} from './transforms.ts';

/** MediaPipe FaceMesh contours (as @vladmandic/human's facemeshcoords.ts lists them). */
export const MESH_CONTOURS = {
  faceOval: [
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93,
    234, 127, 162, 21, 54, 103, 67, 109,
  ],
  /** Eye openings: lower lid then upper lid reversed, so the loop closes. */
  rightEye: [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246],
  leftEye: [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466],
  innerMouth: [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191],
  /** Cheek extremes (face width) and forehead top / chin (face height). */
  rightCheek: 234,
  leftCheek: 454,
  foreheadTop: 10,
  chin: 152,
} as const;

export interface FixtureContext {
  image: RgbImage;
  /** The face box the detector found on the untransformed fixture (frame pixels). */
  referenceBox: Box;
  /** The 468 reference landmarks, x and y in frame pixels. */
  referencePoints: readonly Point2[];
  /** Skin of the face: inside the face oval, without the eye openings and the inside of the mouth, feathered. */
  skinMask: Mask;
  /** Centre of the face (reference box centre) and the half-width and half-height of the head, pixels. */
  faceCentre: Point2;
  headHalfWidthPx: number;
  headHalfHeightPx: number;
  /** Seed for conditions that draw random numbers (fixed per fixture). */
  seed: number;
}

export interface TransformedFixture {
  image: RgbImage;
  /** Where a reference point lands in the transformed image, or null where the transform hides it. */
  mapPoint: (p: Point2) => Point2 | null;
  /** The face box expected in the transformed image. */
  expectedBox: Box;
}

export type ConditionFamily = 'reference' | 'control' | 'skin tone' | 'lighting' | 'skin tone x light' | 'head pose';

export interface Condition {
  id: string;
  family: ConditionFamily;
  label: string;
  apply: (ctx: FixtureContext) => TransformedFixture;
}

/** Skin mask from reference landmarks: face oval minus eyes and mouth opening, edge feathered by a tenth of the face width. */
export function skinMaskFromLandmarks(width: number, height: number, points: readonly Point2[]): Mask {
  const poly = (idx: readonly number[]) => idx.map((i) => points[i]!);
  const oval = polygonMask(width, height, poly(MESH_CONTOURS.faceOval));
  const holes = polygonMask(width, height, poly(MESH_CONTOURS.rightEye));
  const left = polygonMask(width, height, poly(MESH_CONTOURS.leftEye));
  const mouth = polygonMask(width, height, poly(MESH_CONTOURS.innerMouth));
  for (let i = 0; i < holes.length; i++) holes[i] = Math.max(holes[i]!, left[i]!, mouth[i]!);
  const faceWidthPx = Math.abs(points[MESH_CONTOURS.leftCheek]![0] - points[MESH_CONTOURS.rightCheek]![0]);
  // Feather the face edge widely (it blends into neck and hair) but the holes only a little.
  return subtractMask(featherMask(oval, width, height, faceWidthPx / 20), featherMask(holes, width, height, 1));
}

const identity = (p: Point2): Point2 => p;
const photometric =
  (f: (ctx: FixtureContext) => RgbImage) =>
  (ctx: FixtureContext): TransformedFixture => ({ image: f(ctx), mapPoint: identity, expectedBox: ctx.referenceBox });

/**
 * A Fitzpatrick-like ladder as target skin colours: one (L*, a*, b*) per ITA category (Del Bino &
 * Bernerd 2013), chosen inside the category and near published colorimetry of facial skin
 * (lighter skin L* ~ 65-72, darker skin L* ~ 30-45 with lower b*). The ITA of each target is in
 * its label; the achieved ITA on each fixture is measured and reported.
 */
export const SKIN_LADDER: readonly { id: string; label: string; target: SkinTarget }[] = [
  { id: 'ita-very-light', label: 'very light (ITA 59)', target: { l: 72, a: 11, b: 13 } },
  { id: 'ita-light', label: 'light (ITA 49)', target: { l: 67, a: 12, b: 15 } },
  { id: 'ita-intermediate', label: 'intermediate (ITA 34)', target: { l: 62, a: 13, b: 18 } },
  { id: 'ita-tan', label: 'tan (ITA 19)', target: { l: 57, a: 13, b: 20 } },
  { id: 'ita-brown', label: 'brown (ITA -15)', target: { l: 45, a: 13, b: 19 } },
  { id: 'ita-dark', label: 'dark (ITA -51)', target: { l: 33, a: 11, b: 14 } },
];

/** The same cast for every fixture: the fill for corners uncovered by a rotation (the edge bench's background). */
const FILL = [0x50, 0x58, 0x60] as const;

function rotation(deg: number): Condition {
  return {
    id: `roll${deg > 0 ? '+' : ''}${deg}`,
    family: 'head pose',
    label: `roll (in-plane tilt) ${deg > 0 ? '+' : ''}${deg} deg`,
    apply: (ctx) => {
      const [cx, cy] = ctx.faceCentre;
      const map = (p: Point2) => rotatePoint(p, cx, cy, deg);
      const b = ctx.referenceBox;
      // An upright face detector reports an axis-aligned box of about the face's own size around
      // the rotated face centre, not the bounding box of the rotated square.
      const [ncx, ncy] = map([(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2]);
      const hw = (b.x2 - b.x1) / 2;
      const hh = (b.y2 - b.y1) / 2;
      return {
        image: rotateAbout(ctx.image, cx, cy, deg, FILL),
        mapPoint: map,
        expectedBox: { x1: ncx - hw, y1: ncy - hh, x2: ncx + hw, y2: ncy + hh },
      };
    },
  };
}

function cylinderCondition(axis: 'x' | 'y', deg: number): Condition {
  const name = axis === 'x' ? 'yaw' : 'pitch';
  return {
    id: `${name}${deg > 0 ? '+' : ''}${deg}`,
    family: 'head pose',
    // Positive moves the face surface towards +x (image right) or +y (down: the face looks down).
    label: `${name} ${deg > 0 ? '+' : ''}${deg} deg (cylinder warp${axis === 'y' ? (deg > 0 ? ', looking down' : ', looking up') : ''})`,
    apply: (ctx) => {
      const centre = axis === 'x' ? ctx.faceCentre[0] : ctx.faceCentre[1];
      const radius = axis === 'x' ? ctx.headHalfWidthPx : ctx.headHalfHeightPx;
      const map = (p: Point2) => cylinderTurnPoint(p, centre, radius, deg, axis);
      // Expected box: the reference box's extent along the turn axis, re-measured from where the
      // visible reference landmarks land (the face narrows as it turns).
      const k = axis === 'x' ? 0 : 1;
      const before = ctx.referencePoints.map((p) => p[k]);
      const after = ctx.referencePoints
        .map((p) => map(p))
        .filter((p): p is Point2 => p !== null)
        .map((p) => p[k]);
      const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
      const scale = spread(after) / spread(before);
      const mid = (Math.max(...after) + Math.min(...after)) / 2;
      const b = ctx.referenceBox;
      const half = ((axis === 'x' ? b.x2 - b.x1 : b.y2 - b.y1) / 2) * scale;
      const shift = mid - (Math.max(...before) + Math.min(...before)) / 2;
      const expectedBox =
        axis === 'x'
          ? { x1: (b.x1 + b.x2) / 2 + shift - half, x2: (b.x1 + b.x2) / 2 + shift + half, y1: b.y1, y2: b.y2 }
          : { x1: b.x1, x2: b.x2, y1: (b.y1 + b.y2) / 2 + shift - half, y2: (b.y1 + b.y2) / 2 + shift + half };
      return { image: cylinderTurn(ctx.image, centre, radius, deg, axis), mapPoint: map, expectedBox };
    },
  };
}

function sideLightCondition(id: string, label: string, fromLeft: boolean, shadowGain: number): Condition {
  return {
    id,
    family: 'lighting',
    label,
    apply: photometric((ctx) => {
      const b = ctx.referenceBox;
      const w = b.x2 - b.x1;
      // The gain falls across the face and half a face-width either side of it.
      const left = b.x1 - w / 2;
      const right = b.x2 + w / 2;
      return fromLeft ? sideLight(ctx.image, left, right, 1, shadowGain) : sideLight(ctx.image, right, left, 1, shadowGain);
    }),
  };
}

export const CONDITIONS: readonly Condition[] = [
  { id: 'reference', family: 'reference', label: 'untransformed (must agree fully)', apply: photometric((ctx) => ctx.image) },
  // Controls: changes no viewer would notice. Their disagreement is the floor that every other row
  // has to be read against (an expression read that flips under a 1-pixel shift is not stable).
  {
    id: 'shift-1px',
    family: 'control',
    label: 'shifted 1 px right and down',
    apply: (ctx) => {
      const b = ctx.referenceBox;
      return {
        image: translate(ctx.image, 1, 1, FILL),
        mapPoint: (p) => [p[0] + 1, p[1] + 1],
        expectedBox: { x1: b.x1 + 1, y1: b.y1 + 1, x2: b.x2 + 1, y2: b.y2 + 1 },
      };
    },
  },
  { id: 'noise-2', family: 'control', label: 'noise sigma 2 (invisible)', apply: photometric((c) => gaussianNoise(c.image, 2, c.seed)) },

  ...SKIN_LADDER.map(({ id, label, target }): Condition => ({
    id,
    family: 'skin tone',
    label: `skin ${label}`,
    apply: photometric((ctx) => shiftSkinTone(ctx.image, ctx.skinMask, target)),
  })),
  {
    id: 'skin-hue+12',
    family: 'skin tone',
    label: 'skin hue +12 deg (yellower)',
    apply: photometric((c) => shiftSkinHueChroma(c.image, c.skinMask, 12, 1)),
  },
  {
    id: 'skin-hue-12',
    family: 'skin tone',
    label: 'skin hue -12 deg (redder)',
    apply: photometric((c) => shiftSkinHueChroma(c.image, c.skinMask, -12, 1)),
  },
  {
    id: 'skin-chroma-x0.5',
    family: 'skin tone',
    label: 'skin chroma x0.5 (pale, ashen)',
    apply: photometric((c) => shiftSkinHueChroma(c.image, c.skinMask, 0, 0.5)),
  },
  {
    id: 'skin-chroma-x1.5',
    family: 'skin tone',
    label: 'skin chroma x1.5 (flushed)',
    apply: photometric((c) => shiftSkinHueChroma(c.image, c.skinMask, 0, 1.5)),
  },

  ...[-1, -2, -3, -4, -5].map((ev): Condition => ({
    id: `exposure${ev}`,
    family: 'lighting',
    label: `underexposed ${ev} EV (x${2 ** ev} light)`,
    apply: photometric((c) => exposure(c.image, ev)),
  })),
  ...[1, 2].map((ev): Condition => ({
    id: `exposure+${ev}`,
    family: 'lighting',
    label: `overexposed +${ev} EV (clipped)`,
    apply: photometric((c) => exposure(c.image, ev)),
  })),
  { id: 'contrast-x0.5', family: 'lighting', label: 'low contrast x0.5', apply: photometric((c) => contrast(c.image, 0.5)) },
  { id: 'contrast-x0.25', family: 'lighting', label: 'low contrast x0.25', apply: photometric((c) => contrast(c.image, 0.25)) },
  sideLightCondition('side-left-0.2', 'side light from image left, shadow x0.2', true, 0.2),
  sideLightCondition('side-right-0.2', 'side light from image right, shadow x0.2', false, 0.2),
  sideLightCondition('side-left-0.05', 'side light from image left, shadow x0.05', true, 0.05),
  { id: 'noise-10', family: 'lighting', label: 'sensor noise sigma 10', apply: photometric((c) => gaussianNoise(c.image, 10, c.seed)) },
  {
    id: 'lowlight-2ev-noise-10',
    family: 'lighting',
    label: 'low light: -2 EV + noise sigma 10',
    apply: photometric((c) => gaussianNoise(exposure(c.image, -2), 10, c.seed)),
  },
  {
    id: 'lowlight-3ev-noise-6',
    family: 'lighting',
    label: 'night light: -3 EV + noise sigma 6',
    apply: photometric((c) => gaussianNoise(exposure(c.image, -3), 6, c.seed)),
  },
  {
    id: 'tungsten',
    family: 'lighting',
    label: 'warm tungsten cast (R x1.15, B x0.6)',
    apply: photometric((c) => colourCast(c.image, [1.15, 1, 0.6])),
  },

  // Skin tone and dim light together: a darker face in a dim room is darker still, and the
  // pipeline's minimum face luma (USABLE.minLuma) may then refuse it sooner than a lighter one.
  ...(['ita-very-light', 'ita-intermediate', 'ita-dark'] as const).flatMap((toneId): Condition[] => {
    const tone = SKIN_LADDER.find((s) => s.id === toneId)!;
    return [
      {
        id: `${toneId}+exposure-2`,
        family: 'skin tone x light',
        label: `skin ${tone.label}, -2 EV`,
        apply: photometric((c) => exposure(shiftSkinTone(c.image, c.skinMask, tone.target), -2)),
      },
      {
        id: `${toneId}+lowlight-3ev-noise-6`,
        family: 'skin tone x light',
        label: `skin ${tone.label}, -3 EV + noise sigma 6`,
        apply: photometric((c) => gaussianNoise(exposure(shiftSkinTone(c.image, c.skinMask, tone.target), -3), 6, c.seed)),
      },
    ];
  }),

  ...[-30, -20, -10, 10, 20, 30].map(rotation),
  ...[-45, -30, -15, 15, 30, 45].map((d) => cylinderCondition('x', d)),
  ...[-30, -15, 15, 30].map((d) => cylinderCondition('y', d)),
];
