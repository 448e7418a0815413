import { describe, expect, it } from 'vitest';
import type { RgbFrame } from '../sources/camera/frame.ts';
import { cropAndResizeRgb, meanLuma, resizeBilinearRgb } from './image-ops.ts';

/** 4x2 frame whose red channel is the x coordinate * 10, green the y * 10, blue 255. */
function ramp(): RgbFrame {
  const w = 4;
  const h = 2;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x * 10, y * 10, 255], (y * w + x) * 3);
  return { width: w, height: h, data, tMs: 0 };
}

describe('image ops (TensorFlow semantics)', () => {
  it('resizeBilinear without align-corners samples at dst * in/out', () => {
    const out = resizeBilinearRgb(ramp(), 8, 2, 1, 0);
    // x_in = x * 0.5: 0, 0.5, 1, ... 3, 3.5 (clamped to the last column)
    expect(Array.from({ length: 8 }, (_, x) => out[x * 3])).toEqual([0, 5, 10, 15, 20, 25, 30, 30]);
    const norm = resizeBilinearRgb(ramp(), 2, 1, 1 / 127.5, -1);
    expect(norm[2]).toBeCloseTo(1, 6); // blue 255 -> 1
  });

  it('cropAndResize samples on (size - 1) spacing and is zero outside the frame', () => {
    const f = ramp();
    const crop = cropAndResizeRgb(f, { x1: 0, y1: 0, x2: 4, y2: 2 }, 3, 1);
    // x_in = 0 + x * (1 * 3) / 2 = 0, 1.5, 3
    expect([crop[0], crop[3], crop[6]]).toEqual([0, 15, 30]);
    const outside = cropAndResizeRgb(f, { x1: -8, y1: 0, x2: 4, y2: 2 }, 2, 1);
    expect(outside[0]).toBe(0); // x_in < 0
    expect(outside[2]).toBe(0);
  });

  it('mean luma of a region', () => {
    const f = ramp();
    expect(meanLuma(f, { x1: 0, y1: 0, x2: 1, y2: 1 }, 1)).toBeCloseTo(0.114 * 255, 3);
  });
});
