/**
 * The few image operations the face models need, on packed RGB24 frames, in plain loops (no
 * tensor library). They follow TensorFlow's semantics exactly (resizeBilinear without
 * align-corners or half-pixel centres; cropAndResize with zero extrapolation) because the models
 * were trained and are compared with TF.js preprocessing: the same crop in gives the same
 * expression out.
 */
import { EXPRESSION_GRAY_WEIGHTS } from '@attune/models';
import type { RgbFrame } from '../sources/camera/frame.ts';

/** An axis-aligned box in frame pixels. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * tf.image.resizeBilinear(frame, [outH, outW]) (alignCorners false, halfPixelCenters false),
 * then `value * scale + offset`, into a float32 NHWC tensor body.
 */
export function resizeBilinearRgb(
  frame: RgbFrame,
  outW: number,
  outH: number,
  scale: number,
  offset: number,
  out = new Float32Array(outW * outH * 3),
): Float32Array {
  const { width: w, height: h, data } = frame;
  const sy = h / outH;
  const sx = w / outW;
  const x0s = new Int32Array(outW);
  const x1s = new Int32Array(outW);
  const dxs = new Float32Array(outW);
  for (let x = 0; x < outW; x++) {
    const inX = x * sx;
    const x0 = Math.floor(inX);
    x0s[x] = x0 * 3;
    x1s[x] = Math.min(x0 + 1, w - 1) * 3;
    dxs[x] = inX - x0;
  }
  let o = 0;
  for (let y = 0; y < outH; y++) {
    const inY = y * sy;
    const y0 = Math.floor(inY);
    const y1 = Math.min(y0 + 1, h - 1);
    const dy = inY - y0;
    const r0 = y0 * w * 3;
    const r1 = y1 * w * 3;
    for (let x = 0; x < outW; x++) {
      const a = x0s[x]!;
      const b = x1s[x]!;
      const dx = dxs[x]!;
      for (let c = 0; c < 3; c++) {
        const top = data[r0 + a + c]! + (data[r0 + b + c]! - data[r0 + a + c]!) * dx;
        const bottom = data[r1 + a + c]! + (data[r1 + b + c]! - data[r1 + a + c]!) * dx;
        out[o++] = (top + (bottom - top) * dy) * scale + offset;
      }
    }
  }
  return out;
}

/**
 * tf.image.cropAndResize(frame, [[y1/h, x1/w, y2/h, x2/w]], [0], [size, size]) (bilinear, zero
 * outside the frame), then `value * scale`, into a float32 NHWC body.
 */
export function cropAndResizeRgb(
  frame: RgbFrame,
  box: Box,
  size: number,
  scale: number,
  out = new Float32Array(size * size * 3),
): Float32Array {
  const { width: w, height: h, data } = frame;
  // TF's box coordinates are normalised by the frame size but sampled on (size - 1) spacing.
  const ny1 = box.y1 / h;
  const ny2 = box.y2 / h;
  const nx1 = box.x1 / w;
  const nx2 = box.x2 / w;
  const hs = size > 1 ? ((ny2 - ny1) * (h - 1)) / (size - 1) : 0;
  const ws = size > 1 ? ((nx2 - nx1) * (w - 1)) / (size - 1) : 0;
  let o = 0;
  for (let y = 0; y < size; y++) {
    const inY = size > 1 ? ny1 * (h - 1) + y * hs : 0.5 * (ny1 + ny2) * (h - 1);
    if (inY < 0 || inY > h - 1) {
      out.fill(0, o, o + size * 3);
      o += size * 3;
      continue;
    }
    const top = Math.floor(inY);
    const bottom = Math.ceil(inY);
    const dy = inY - top;
    const rt = top * w * 3;
    const rb = bottom * w * 3;
    for (let x = 0; x < size; x++) {
      const inX = size > 1 ? nx1 * (w - 1) + x * ws : 0.5 * (nx1 + nx2) * (w - 1);
      if (inX < 0 || inX > w - 1) {
        out[o++] = 0;
        out[o++] = 0;
        out[o++] = 0;
        continue;
      }
      const left = Math.floor(inX);
      const right = Math.ceil(inX);
      const dx = inX - left;
      const l = left * 3;
      const r = right * 3;
      for (let c = 0; c < 3; c++) {
        const tl = data[rt + l + c]!;
        const tr = data[rt + r + c]!;
        const bl = data[rb + l + c]!;
        const br = data[rb + r + c]!;
        const t = tl + (tr - tl) * dx;
        const b = bl + (br - bl) * dx;
        out[o++] = (t + (b - t) * dy) * scale;
      }
    }
  }
  return out;
}

/**
 * ITU-R BT.601 luma weights, as TF.js and MATLAB rgb2gray use them: the expression model's
 * grayscale weights (@attune/models), used for the lighting check too.
 */
export const LUMA = EXPRESSION_GRAY_WEIGHTS;

/** Mean luma (0..255) inside a box, sampled on a coarse grid. */
export function meanLuma(frame: RgbFrame, box: Box, step = 4): number {
  return lumaStats(frame, box, step).mean;
}

/** Mean and standard deviation of luma (0..255) inside a box, sampled on a coarse grid: the lighting check. */
export function lumaStats(frame: RgbFrame, box: Box, step = 4): { mean: number; sd: number } {
  const x1 = Math.max(0, Math.floor(box.x1));
  const y1 = Math.max(0, Math.floor(box.y1));
  const x2 = Math.min(frame.width, Math.ceil(box.x2));
  const y2 = Math.min(frame.height, Math.ceil(box.y2));
  let sum = 0;
  let sumSquares = 0;
  let n = 0;
  for (let y = y1; y < y2; y += step) {
    for (let x = x1; x < x2; x += step) {
      const i = (y * frame.width + x) * 3;
      const l = frame.data[i]! * LUMA[0] + frame.data[i + 1]! * LUMA[1] + frame.data[i + 2]! * LUMA[2];
      sum += l;
      sumSquares += l * l;
      n++;
    }
  }
  if (n === 0) return { mean: 0, sd: 0 };
  const mean = sum / n;
  return { mean, sd: Math.sqrt(Math.max(0, sumSquares / n - mean * mean)) };
}
