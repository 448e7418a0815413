import { blazeFaceAnchors } from '@attune/models';
import { describe, expect, it } from 'vitest';
import { decodeBlazeFace, faceCropBox, iou, nonMaxSuppression } from './blazeface.ts';

/** Anchor i's centre from the x, y pairs. */
const anchorAt = (anchors: Float32Array, i: number) => [anchors[2 * i], anchors[2 * i + 1]];

describe('BlazeFace decoding', () => {
  it('has 896 anchors for 256 input: 512 at stride 16 (2 per cell) then 384 at stride 32 (6 per cell)', () => {
    const a = blazeFaceAnchors(256);
    expect(a).toHaveLength(2 * 896);
    expect(anchorAt(a, 0)).toEqual([8, 8]);
    expect(anchorAt(a, 1)).toEqual([8, 8]);
    expect(anchorAt(a, 2)).toEqual([24, 8]);
    expect(anchorAt(a, 511)).toEqual([248, 248]);
    expect(anchorAt(a, 512)).toEqual([16, 16]);
    expect(anchorAt(a, 895)).toEqual([240, 240]);
  });

  it('decodes box centre and size relative to the anchor, scaled to the frame, with sigmoid scores', () => {
    const anchors = blazeFaceAnchors(256);
    const logits = new Float32Array(896).fill(-10);
    const boxes = new Float32Array(896 * 16);
    // Anchor 600 (stride 32). Box centred 4 px right / 2 px below it, 64x48 input pixels.
    const i = 600;
    logits[i] = 2; // sigmoid 0.881
    boxes.set([4, 2, 64, 48, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], i * 16);
    const [ax, ay] = anchorAt(anchors, i) as [number, number];
    const d = decodeBlazeFace(logits, boxes, anchors, {
      inputSize: 256,
      frameWidth: 640,
      frameHeight: 480,
      minScore: 0.5,
      iouThreshold: 0.3,
      maxDetections: 5,
    });
    expect(d).toHaveLength(1);
    expect(d[0]!.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 5);
    const fx = 640 / 256;
    const fy = 480 / 256;
    expect(d[0]!.box.x1).toBeCloseTo((ax + 4 - 32) * fx, 4);
    expect(d[0]!.box.y2).toBeCloseTo((ay + 2 + 24) * fy, 4);
    expect(d[0]!.keypoints[0]).toEqual([(ax + 1) * fx, (ay + 1) * fy]);
  });

  it('NMS keeps the best of overlapping boxes and distinct faces', () => {
    const a = { box: { x1: 0, y1: 0, x2: 10, y2: 10 }, score: 0.9 };
    const b = { box: { x1: 1, y1: 1, x2: 11, y2: 11 }, score: 0.8 };
    const c = { box: { x1: 50, y1: 50, x2: 60, y2: 60 }, score: 0.7 };
    expect(iou(a.box, b.box)).toBeCloseTo(81 / 119, 5);
    expect(nonMaxSuppression([c, b, a], 0.3, 5)).toEqual([a, c]);
    expect(nonMaxSuppression([c, b, a], 0.3, 1)).toEqual([a]);
  });

  it('crop box: enlarged 1.4x, squared to the longer side, integer corners', () => {
    expect(faceCropBox({ x1: 100, y1: 100, x2: 200, y2: 150 })).toEqual({ x1: 80, y1: 55, x2: 220, y2: 195 });
  });
});
