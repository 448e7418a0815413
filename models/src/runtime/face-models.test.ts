import { describe, expect, it } from 'vitest';
import { expressionInput, FACE_EXPRESSION_INPUT_SIZE } from './face-models.ts';

describe('face model preprocessing', () => {
  it('expression input: grayscale by BT.601 weights, scaled to -1..1', () => {
    const crop = new Float32Array(2 * 2 * 3).fill(1);
    const g = expressionInput(crop, 2, 1);
    expect(g[0]).toBeCloseTo((0.2989 + 0.587 + 0.114 - 0.5) * 2, 5);
  });

  it('expression input: 64x64 by default, resized with TF.js bilinear semantics (no half-pixel centres)', () => {
    const side = 128;
    const crop = new Float32Array(side * side * 3);
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) crop.fill(x / (side - 1), 3 * (y * side + x), 3 * (y * side + x) + 3);
    const g = expressionInput(crop, side);
    expect(g).toHaveLength(FACE_EXPRESSION_INPUT_SIZE * FACE_EXPRESSION_INPUT_SIZE);
    // Output column x samples input column 2x (scale 2, no offset): gray = 2x / 127 (weights sum to 0.9999).
    const weights = 0.2989 + 0.587 + 0.114;
    expect(g[5]).toBeCloseTo(((10 / 127) * weights - 0.5) * 2, 5);
  });
});
