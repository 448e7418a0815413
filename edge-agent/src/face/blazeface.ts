/**
 * BlazeFace decoding (MediaPipe short-range face detector, 256x256 "back" variant as shipped by
 * @vladmandic/human): anchors, sigmoid scores, box and keypoint regression, non-maximum
 * suppression, and the box enlargement/squaring that feeds FaceMesh. Matches Human's decoding so
 * both see the same face crop. The anchors themselves are @attune/models' blazeFaceAnchors (one
 * definition with the model's other facts).
 */
import type { Box } from './image-ops.ts';

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export interface Detection {
  /** Box in frame pixels. */
  box: Box;
  score: number;
  /** 6 keypoints (eyes, nose, mouth, ears) in frame pixels. */
  keypoints: [number, number][];
}

export interface DecodeOptions {
  inputSize: number;
  frameWidth: number;
  frameHeight: number;
  minScore: number;
  iouThreshold: number;
  maxDetections: number;
}

/**
 * Decodes the detector's outputs: per anchor a score logit and 16 regressors (dx, dy, w, h, then
 * 6 x (kx, ky)) in input pixels relative to the anchor; stride-16 anchors first, then stride-32,
 * as the anchors are ordered. `anchors` holds the centres as x, y pairs (blazeFaceAnchors). The
 * frame was resized (not letterboxed) to the square input, so x and y scale apart.
 */
export function decodeBlazeFace(
  logits: ArrayLike<number>,
  boxes: ArrayLike<number>,
  anchors: ArrayLike<number>,
  o: DecodeOptions,
): Detection[] {
  const anchorCount = anchors.length / 2;
  if (logits.length !== anchorCount || boxes.length !== anchorCount * 16) {
    throw new Error(`BlazeFace output has ${logits.length} scores and ${boxes.length} box values for ${anchorCount} anchors`);
  }
  const fx = o.frameWidth / o.inputSize;
  const fy = o.frameHeight / o.inputSize;
  // Threshold on the logit first: the sigmoid is monotonic and most of the 896 rows are far below.
  const minLogit = Math.log(o.minScore / (1 - o.minScore));
  const candidates: Detection[] = [];
  for (let i = 0; i < anchorCount; i++) {
    const logit = logits[i]!;
    if (!(logit > minLogit)) continue;
    const r = i * 16;
    const ax = anchors[2 * i]!;
    const ay = anchors[2 * i + 1]!;
    const cx = boxes[r]! + ax;
    const cy = boxes[r + 1]! + ay;
    const w = boxes[r + 2]!;
    const h = boxes[r + 3]!;
    const keypoints: [number, number][] = [];
    for (let k = 0; k < 6; k++) keypoints.push([(boxes[r + 4 + 2 * k]! + ax) * fx, (boxes[r + 5 + 2 * k]! + ay) * fy]);
    candidates.push({
      box: { x1: (cx - w / 2) * fx, y1: (cy - h / 2) * fy, x2: (cx + w / 2) * fx, y2: (cy + h / 2) * fy },
      score: sigmoid(logit),
      keypoints,
    });
  }
  return nonMaxSuppression(candidates, o.iouThreshold, o.maxDetections);
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const iy = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = ix * iy;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy NMS by descending score (as tf.image.nonMaxSuppression): drop boxes overlapping a kept one by more than iouThreshold. */
export function nonMaxSuppression<T extends { box: Box; score: number }>(items: T[], iouThreshold: number, max: number): T[] {
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const d of sorted) {
    if (kept.length >= max) break;
    if (kept.every((k) => iou(k.box, d.box) <= iouThreshold)) kept.push(d);
  }
  return kept;
}

export const boxWidth = (b: Box) => b.x2 - b.x1;
export const boxHeight = (b: Box) => b.y2 - b.y1;
export const boxCenter = (b: Box): [number, number] => [(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2];

/**
 * The FaceMesh crop: the detection enlarged 1.4x about its centre, then squared to its longer
 * side with integer corners (as Human's enlargeBox + squarifyBox).
 */
export function faceCropBox(box: Box, enlarge = 1.4): Box {
  const [cx, cy] = boxCenter(box);
  const half = (Math.max(boxWidth(box), boxHeight(box)) * enlarge) / 2;
  return { x1: Math.round(cx - half), y1: Math.round(cy - half), x2: Math.round(cx + half), y2: Math.round(cy + half) };
}
