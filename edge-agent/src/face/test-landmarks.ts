/** Test helper: a schematic frontal face as 468 landmarks (only the points the geometry reads are placed). */
import type { Point3 } from './landmarks.ts';

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
