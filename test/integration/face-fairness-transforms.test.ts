/**
 * The face fairness sweep's image transforms and agreement measures (test/bench/face-fairness/):
 * each transform does what its name says on pixels whose right answer is known, and the warps'
 * point maps agree with where the warped pixels actually go. Lives here because vitest's include
 * patterns do not cover test/bench.
 */
import { describe, expect, it } from 'vitest';
import { CONDITIONS, SKIN_LADDER } from '../bench/face-fairness/conditions.ts';
import { expressionMeanAbsDiff, landmarkDisplacement, median, topExpression } from '../bench/face-fairness/metrics.ts';
import {
  colourCast,
  contrast,
  cylinderTurn,
  cylinderTurnPoint,
  exposure,
  featherMask,
  gaussianNoise,
  itaDeg,
  labToRgb,
  linearToSrgbByte,
  meanLab,
  polygonMask,
  rgbToLab,
  rotateAbout,
  rotatePoint,
  shiftSkinHueChroma,
  shiftSkinTone,
  sideLight,
  srgbByteToLinear,
  translate,
  type RgbImage,
} from '../bench/face-fairness/transforms.ts';

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
}
const px = (img: RgbImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
const FILL = [0, 0, 0] as const;

/** A black image with one bright 1-pixel dot; returns where the brightest pixel of an image is. */
function dot(width: number, height: number, x: number, y: number): RgbImage {
  const img = solid(width, height, [0, 0, 0]);
  img.data.set([255, 255, 255], (y * width + x) * 3);
  return img;
}
function brightest(img: RgbImage): [number, number] {
  let best = -1;
  let at: [number, number] = [-1, -1];
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) {
      const v = img.data[(y * img.width + x) * 3]!;
      if (v > best) {
        best = v;
        at = [x, y];
      }
    }
  return at;
}

describe('colour', () => {
  it('converts known sRGB colours to CIELAB and back', () => {
    rgbToLab(255, 255, 255).forEach((v, i) => expect(v).toBeCloseTo([100, 0, 0][i]!, 2));
    rgbToLab(0, 0, 0).forEach((v) => expect(v).toBeCloseTo(0, 6));
    // sRGB red in CIELAB D65: L 53.24, a 80.09, b 67.20 (Bruce Lindbloom's calculator).
    const [l, a, b] = rgbToLab(255, 0, 0);
    expect(l).toBeCloseTo(53.24, 1);
    expect(a).toBeCloseTo(80.09, 0);
    expect(b).toBeCloseTo(67.2, 0);
    const colours: [number, number, number][] = [
      [224, 172, 140],
      [90, 60, 45],
      [12, 200, 99],
    ];
    for (const [r, g, b] of colours) expect(labToRgb(...rgbToLab(r, g, b))).toEqual([r, g, b]);
  });

  it('round-trips bytes through linear light', () => {
    for (let v = 0; v < 256; v++) expect(linearToSrgbByte(srgbByteToLinear(v))).toBe(v);
  });

  it('gives the individual typology angle of light and dark skin colours', () => {
    expect(itaDeg(72, 13)).toBeGreaterThan(55);
    expect(itaDeg(33, 14)).toBeLessThan(-30);
    expect(itaDeg(50, 15)).toBeCloseTo(0, 6);
  });
});

describe('masks', () => {
  it('fills a polygon and feathers its edge without spreading far', () => {
    const m = polygonMask(20, 20, [
      [5, 5],
      [15, 5],
      [15, 15],
      [5, 15],
    ]);
    expect(m.reduce((s, v) => s + v, 0)).toBe(100);
    expect(m[10 * 20 + 10]).toBe(1);
    expect(m[2 * 20 + 2]).toBe(0);
    const f = featherMask(m, 20, 20, 2);
    expect(f[10 * 20 + 10]).toBeCloseTo(1, 6);
    expect(f[10 * 20 + 5]!).toBeGreaterThan(0.3);
    expect(f[10 * 20 + 5]!).toBeLessThan(1);
    expect(f[0]).toBe(0);
  });
});

describe('skin tone', () => {
  // Left half "skin", right half untouched background.
  const img = solid(10, 4, [224, 172, 140]);
  const mask = new Float32Array(40);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 5; x++) mask[y * 10 + x] = 1;

  it('moves the masked skin to each ladder step and leaves the rest alone', () => {
    let previousL = Infinity;
    for (const step of SKIN_LADDER) {
      const out = shiftSkinTone(img, mask, step.target);
      const skin = meanLab(out, mask);
      expect(skin.l).toBeCloseTo(step.target.l, 0);
      expect(skin.b).toBeCloseTo(step.target.b, 0);
      expect(skin.l).toBeLessThan(previousL);
      previousL = skin.l;
      expect(px(out, 9, 2)).toEqual([224, 172, 140]);
    }
  });

  it('spans the ITA categories from very light (> 55) to dark (< -30)', () => {
    const itas = SKIN_LADDER.map((s) => itaDeg(s.target.l, s.target.b));
    expect(itas[0]!).toBeGreaterThan(55);
    expect(itas.at(-1)!).toBeLessThan(-30);
    for (let i = 1; i < itas.length; i++) expect(itas[i]!).toBeLessThan(itas[i - 1]!);
  });

  it('rotates hue and scales chroma without changing lightness', () => {
    const before = meanLab(img, mask);
    const hue = meanLab(shiftSkinHueChroma(img, mask, 12, 1), mask);
    expect(hue.l).toBeCloseTo(before.l, 0);
    const deg = (p: { a: number; b: number }) => (Math.atan2(p.b, p.a) * 180) / Math.PI;
    // Within a degree and a half: the result is quantised back to 8-bit sRGB.
    expect(Math.abs(deg(hue) - deg(before) - 12)).toBeLessThan(1.5);
    const pale = meanLab(shiftSkinHueChroma(img, mask, 0, 0.5), mask);
    expect(Math.hypot(pale.a, pale.b) / Math.hypot(before.a, before.b)).toBeCloseTo(0.5, 1);
  });

  it('refuses a mask that selects nothing', () => {
    expect(() => shiftSkinTone(img, new Float32Array(40), SKIN_LADDER[0]!.target)).toThrow(/no pixel/);
  });
});

describe('lighting', () => {
  const grey = solid(8, 2, [128, 128, 128]);
  it('halves linear light per stop down and clips when over-exposed', () => {
    const [v] = px(exposure(grey, -1), 0, 0);
    expect(srgbByteToLinear(v!) / srgbByteToLinear(128)).toBeCloseTo(0.5, 1);
    expect(px(exposure(grey, 3), 0, 0)).toEqual([255, 255, 255]);
  });
  it('flattens contrast about mid-grey', () => {
    const img = solid(1, 1, [228, 28, 128]);
    expect(px(contrast(img, 0.25), 0, 0)).toEqual([153, 103, 128]);
  });
  it('darkens the shadow side of a side light only', () => {
    const lit = sideLight(grey, 0, 8, 1, 0.2);
    expect(px(lit, 0, 0)[0]).toBeGreaterThan(px(lit, 7, 0)[0]!);
    expect(srgbByteToLinear(px(lit, 7, 0)[0]!) / srgbByteToLinear(128)).toBeLessThan(0.35);
  });
  it('casts colour per channel', () => {
    const [r, g, b] = px(colourCast(grey, [1.15, 1, 0.6]), 0, 0);
    expect(r!).toBeGreaterThan(128);
    expect(g).toBe(128);
    expect(b!).toBeLessThan(128);
  });
  it('adds reproducible zero-mean noise of the asked size', () => {
    const big = solid(100, 100, [128, 128, 128]);
    const a = gaussianNoise(big, 10, 7);
    expect(gaussianNoise(big, 10, 7).data).toEqual(a.data);
    expect(gaussianNoise(big, 10, 8).data).not.toEqual(a.data);
    const d = Array.from(a.data, (v) => v - 128);
    const m = d.reduce((s, v) => s + v, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, v) => s + (v - m) ** 2, 0) / d.length);
    expect(Math.abs(m)).toBeLessThan(0.5);
    expect(sd).toBeGreaterThan(9.5);
    expect(sd).toBeLessThan(10.5);
  });
});

describe('geometry: the point map follows the pixels', () => {
  it('rotation moves a dot where rotatePoint says', () => {
    const img = dot(41, 41, 30, 20);
    for (const deg of [-30, 20, 90]) {
      const out = rotateAbout(img, 20.5, 20.5, deg, FILL);
      const [ex, ey] = rotatePoint([30.5, 20.5], 20.5, 20.5, deg);
      const [bx, by] = brightest(out);
      expect(Math.abs(bx + 0.5 - ex)).toBeLessThanOrEqual(1);
      expect(Math.abs(by + 0.5 - ey)).toBeLessThanOrEqual(1);
    }
    // +90 deg on screen (y down) is clockwise: a point to the right of the centre goes below it.
    const [x, y] = rotatePoint([30, 20], 20, 20, 90);
    expect(x).toBeCloseTo(20, 9);
    expect(y).toBeCloseTo(30, 9);
  });

  it('the cylinder turn moves a dot where cylinderTurnPoint says, narrows the face and hides the far side', () => {
    const img = dot(101, 5, 60, 2);
    const out = cylinderTurn(img, 50.5, 40, 30);
    const mapped = cylinderTurnPoint([60.5, 2.5], 50.5, 40, 30)!;
    expect(Math.abs(brightest(out)[0] + 0.5 - mapped[0])).toBeLessThanOrEqual(1);
    // Points move towards +x; the width between two symmetric points shrinks (foreshortening).
    const l = cylinderTurnPoint([30.5, 0], 50.5, 40, 30)![0];
    const r = cylinderTurnPoint([70.5, 0], 50.5, 40, 30)![0];
    expect(r - l).toBeLessThan(40);
    expect(r - l).toBeCloseTo(40 * Math.cos(Math.PI / 6), 6);
    // Near the +x edge the surface turns out of sight; outside the head nothing is mapped.
    expect(cylinderTurnPoint([88, 0], 50.5, 40, 30)).toBeNull();
    expect(cylinderTurnPoint([95, 0], 50.5, 40, 30)).toBeNull();
    expect(cylinderTurnPoint([0, 20], 0, 40, 20, 'y')![1]).toBeGreaterThan(20);
    // Outside the head band the image is unchanged.
    expect(px(cylinderTurn(dot(101, 5, 2, 2), 50.5, 40, 30), 2, 2)).toEqual([255, 255, 255]);
  });

  it('translation shifts pixels by whole pixels exactly', () => {
    const out = translate(dot(10, 10, 3, 4), 1, 1, FILL);
    expect(brightest(out)).toEqual([4, 5]);
  });
});

describe('agreement measures', () => {
  const p = { angry: 0.1, disgusted: 0, fearful: 0, happy: 0.6, sad: 0.1, surprised: 0, neutral: 0.2 };
  it('takes the top class and the mean absolute difference', () => {
    expect(topExpression(p)).toBe('happy');
    expect(expressionMeanAbsDiff(p, p)).toBe(0);
    expect(expressionMeanAbsDiff(p, { ...p, happy: 0.2, neutral: 0.6 })).toBeCloseTo(0.8 / 7, 9);
    expect(() => expressionMeanAbsDiff(p, { happy: 1 })).toThrow();
  });
  it('measures landmark displacement over visible points in inter-ocular units', () => {
    const ref = Array.from({ length: 60 }, (_, i) => [i, 2 * i] as const);
    const moved = ref.map(([x, y]) => [x + 3, y + 4] as const);
    expect(landmarkDisplacement(moved, ref, 10)).toEqual({ meanIod: 0.5, points: 60 });
    const hidden = ref.map((q, i) => (i < 5 ? null : q));
    expect(landmarkDisplacement(moved, hidden, 10).points).toBe(55);
    expect(() =>
      landmarkDisplacement(
        moved,
        ref.map(() => null),
        10,
      ),
    ).toThrow(/visible/);
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });
});

describe('conditions', () => {
  it('have unique ids and start with the untransformed reference', () => {
    expect(CONDITIONS[0]!.id).toBe('reference');
    expect(new Set(CONDITIONS.map((c) => c.id)).size).toBe(CONDITIONS.length);
    for (const family of ['control', 'skin tone', 'lighting', 'head pose']) expect(CONDITIONS.some((c) => c.family === family)).toBe(true);
  });
});
