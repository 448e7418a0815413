/**
 * Deterministic pixel transforms for the face fairness sweep: skin tone, lighting and head pose,
 * as pure functions on packed RGB24 images (a new image out, the input untouched). Colour work is
 * done in linear light and CIELAB (D65), because exposure is a multiplication of linear light and
 * skin tone is described in L*a*b* (the individual typology angle, ITA).
 *
 * What these can and cannot stand for is written in RESULTS.md: a recoloured light-skinned face is
 * not a dark-skinned face (different reflectance, shading, specular highlights, features), and a
 * 2-D warp is not a head turn (no self-occlusion by the nose, no new surface comes into view).
 */
import { mulberry32 } from '@attune/models/rng';

export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, row-major, R G B. */
  data: Uint8Array;
}

export type Point2 = readonly [number, number];

// ---------------------------------------------------------------------------------------------
// Colour: sRGB <-> linear <-> CIE XYZ (D65) <-> CIELAB

/** sRGB byte -> linear light 0..1 (IEC 61966-2-1). */
const SRGB_TO_LINEAR = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  const c = v / 255;
  SRGB_TO_LINEAR[v] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function srgbByteToLinear(v: number): number {
  return SRGB_TO_LINEAR[v]!;
}

/** Linear light (any value) -> sRGB byte, clipped to 0..255 as a sensor or encoder clips. */
export function linearToSrgbByte(linear: number): number {
  const c = Math.min(1, Math.max(0, linear));
  const s = c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055;
  return Math.round(s * 255);
}

/** D65 white in XYZ (Y = 1). */
const WHITE = [0.95047, 1, 1.08883] as const;
const labF = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (t * 24389) / 27 / 116 + 16 / 116);
const labFInverse = (f: number) => (f ** 3 > 216 / 24389 ? f ** 3 : ((116 * f - 16) * 27) / 24389);

/** sRGB bytes -> CIELAB [L* 0..100, a*, b*]. */
export function rgbToLab(r: number, g: number, b: number): [number, number, number] {
  const lr = SRGB_TO_LINEAR[r]!;
  const lg = SRGB_TO_LINEAR[g]!;
  const lb = SRGB_TO_LINEAR[b]!;
  const x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / WHITE[0];
  const y = (0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb) / WHITE[1];
  const z = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / WHITE[2];
  const fx = labF(x);
  const fy = labF(y);
  const fz = labF(z);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIELAB -> sRGB bytes (out-of-gamut colours clipped per channel). */
export function labToRgb(l: number, a: number, bStar: number): [number, number, number] {
  const fy = (l + 16) / 116;
  const x = labFInverse(fy + a / 500) * WHITE[0];
  const y = labFInverse(fy) * WHITE[1];
  const z = labFInverse(fy - bStar / 200) * WHITE[2];
  return [
    linearToSrgbByte(3.2404542 * x - 1.5371385 * y - 0.4985314 * z),
    linearToSrgbByte(-0.969266 * x + 1.8760108 * y + 0.041556 * z),
    linearToSrgbByte(0.0556434 * x - 0.2040259 * y + 1.0572252 * z),
  ];
}

/**
 * Individual typology angle, degrees: atan((L* - 50) / b*). The dermatological skin colour scale
 * of Chardon et al. 1991 (Int J Cosmet Sci 13:191), with the categories of Del Bino & Bernerd 2013
 * (Br J Dermatol 169 Suppl 3:33): very light > 55, light 41..55, intermediate 28..41, tan 10..28,
 * brown -30..10, dark < -30. It is measured on skin, not on a photograph's pixels, so values from
 * images are indicative only.
 */
export function itaDeg(lStar: number, bStar: number): number {
  return (Math.atan2(lStar - 50, bStar) * 180) / Math.PI;
}

// ---------------------------------------------------------------------------------------------
// Masks

/** Mask value per pixel 0..1 (1 = fully transformed). */
export type Mask = Float32Array;

/** 1 inside the closed polygon (even-odd rule, pixel centres), 0 outside. */
export function polygonMask(width: number, height: number, polygon: readonly Point2[]): Mask {
  const mask = new Float32Array(width * height);
  if (polygon.length < 3) return mask;
  for (let y = 0; y < height; y++) {
    const yc = y + 0.5;
    const crossings: number[] = [];
    for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
      const [xi, yi] = polygon[i]!;
      const [xj, yj] = polygon[j]!;
      if (yi > yc !== yj > yc) crossings.push(xi + ((yc - yi) / (yj - yi)) * (xj - xi));
    }
    crossings.sort((p, q) => p - q);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const from = Math.max(0, Math.ceil(crossings[k]! - 0.5));
      const to = Math.min(width - 1, Math.floor(crossings[k + 1]! - 0.5));
      for (let x = from; x <= to; x++) mask[y * width + x] = 1;
    }
  }
  return mask;
}

/** a * (1 - b), per pixel: the region of `a` without `b`. */
export function subtractMask(a: Mask, b: Mask): Mask {
  if (a.length !== b.length) throw new Error(`mask sizes differ: ${a.length} vs ${b.length}`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * (1 - b[i]!);
  return out;
}

/**
 * Softens a mask's edge with two passes of a separable box blur of the given radius (close to a
 * Gaussian), so a recoloured region blends into its surroundings instead of showing a seam that a
 * detector could key on.
 */
export function featherMask(mask: Mask, width: number, height: number, radiusPx: number): Mask {
  const r = Math.max(0, Math.round(radiusPx));
  if (r === 0) return Float32Array.from(mask);
  let cur = Float32Array.from(mask);
  const tmp = new Float32Array(mask.length);
  const n = 2 * r + 1;
  for (let pass = 0; pass < 2; pass++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let k = -r; k <= r; k++) s += cur[y * width + Math.min(width - 1, Math.max(0, x + k))]!;
        tmp[y * width + x] = s / n;
      }
    }
    const next = new Float32Array(mask.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let k = -r; k <= r; k++) s += tmp[Math.min(height - 1, Math.max(0, y + k)) * width + x]!;
        next[y * width + x] = s / n;
      }
    }
    cur = next;
  }
  return cur;
}

/** Mask-weighted mean L*, a*, b* over pixels whose mask is at least `minWeight`. */
export function meanLab(img: RgbImage, mask: Mask, minWeight = 0.5): { l: number; a: number; b: number; pixels: number } {
  let l = 0;
  let a = 0;
  let b = 0;
  let w = 0;
  let pixels = 0;
  for (let i = 0; i < mask.length; i++) {
    const m = mask[i]!;
    if (m < minWeight) continue;
    const o = i * 3;
    const lab = rgbToLab(img.data[o]!, img.data[o + 1]!, img.data[o + 2]!);
    l += m * lab[0];
    a += m * lab[1];
    b += m * lab[2];
    w += m;
    pixels += 1;
  }
  if (pixels === 0) throw new Error('mask selects no pixel: cannot measure skin colour');
  return { l: l / w, a: a / w, b: b / w, pixels };
}

// ---------------------------------------------------------------------------------------------
// Skin tone

export interface SkinTarget {
  /** Target mean L* of the masked skin. */
  l: number;
  /** Target mean a* (redness). */
  a: number;
  /** Target mean b* (yellowness). */
  b: number;
}

/**
 * Moves the masked skin's mean colour to `target`: L* is scaled (L' = L * target.l / mean L), so
 * shading, pores and shadows keep their relative depth, as luminance does between lighter and
 * darker skin under the same light; a* and b* are shifted by the difference of means. The result
 * is blended with the original by the mask.
 */
export function shiftSkinTone(img: RgbImage, mask: Mask, target: SkinTarget): RgbImage {
  const mean = meanLab(img, mask);
  const lScale = target.l / mean.l;
  const da = target.a - mean.a;
  const db = target.b - mean.b;
  return mapMaskedLab(img, mask, (l, a, b) => [l * lScale, a + da, b + db]);
}

/** Rotates the masked skin's hue in the a*b* plane by `hueDeg` and scales its chroma (saturation). */
export function shiftSkinHueChroma(img: RgbImage, mask: Mask, hueDeg: number, chromaScale: number): RgbImage {
  const c = Math.cos((hueDeg * Math.PI) / 180) * chromaScale;
  const s = Math.sin((hueDeg * Math.PI) / 180) * chromaScale;
  return mapMaskedLab(img, mask, (l, a, b) => [l, a * c - b * s, a * s + b * c]);
}

function mapMaskedLab(img: RgbImage, mask: Mask, f: (l: number, a: number, b: number) => [number, number, number]): RgbImage {
  if (mask.length !== img.width * img.height) throw new Error(`mask has ${mask.length} pixels, image ${img.width * img.height}`);
  const out = new Uint8Array(img.data);
  for (let i = 0; i < mask.length; i++) {
    const m = mask[i]!;
    if (m <= 0) continue;
    const o = i * 3;
    const [l, a, b] = rgbToLab(img.data[o]!, img.data[o + 1]!, img.data[o + 2]!);
    const [r2, g2, b2] = labToRgb(...f(l, a, b));
    out[o] = Math.round(img.data[o]! + (r2 - img.data[o]!) * m);
    out[o + 1] = Math.round(img.data[o + 1]! + (g2 - img.data[o + 1]!) * m);
    out[o + 2] = Math.round(img.data[o + 2]! + (b2 - img.data[o + 2]!) * m);
  }
  return { width: img.width, height: img.height, data: out };
}

// ---------------------------------------------------------------------------------------------
// Lighting (whole image)

/** Applies a per-pixel gain to linear light, then re-encodes (clipping highlights as a camera does). */
function mapLinear(img: RgbImage, gainAt: (x: number, y: number) => readonly [number, number, number]): RgbImage {
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const g = gainAt(x, y);
      const o = (y * img.width + x) * 3;
      out[o] = linearToSrgbByte(SRGB_TO_LINEAR[img.data[o]!]! * g[0]);
      out[o + 1] = linearToSrgbByte(SRGB_TO_LINEAR[img.data[o + 1]!]! * g[1]);
      out[o + 2] = linearToSrgbByte(SRGB_TO_LINEAR[img.data[o + 2]!]! * g[2]);
    }
  }
  return { width: img.width, height: img.height, data: out };
}

/** Exposure change in stops: linear light times 2^ev (ev < 0 under-, ev > 0 over-exposes and clips). */
export function exposure(img: RgbImage, ev: number): RgbImage {
  const g = 2 ** ev;
  const gain = [g, g, g] as const;
  return mapLinear(img, () => gain);
}

/** Colour cast of the light (white balance): per-channel linear gains, e.g. warm tungsten [1.15, 1, 0.7]. */
export function colourCast(img: RgbImage, gains: readonly [number, number, number]): RgbImage {
  return mapLinear(img, () => gains);
}

/** Contrast about mid-grey on the encoded values: v' = 128 + (v - 128) * factor (haze, a flat night light). */
export function contrast(img: RgbImage, factor: number): RgbImage {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < img.data.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(128 + (img.data[i]! - 128) * factor)));
  return { width: img.width, height: img.height, data: out };
}

/**
 * Light from one side: linear light times a gain that falls linearly from `litGain` at x = litX to
 * `shadowGain` at x = shadowX (constant beyond both), as a window or bedside lamp on one side of
 * the face with the other side in shadow.
 */
export function sideLight(img: RgbImage, litX: number, shadowX: number, litGain: number, shadowGain: number): RgbImage {
  if (litX === shadowX) throw new Error('side light needs two different x positions');
  const gains = new Float64Array(img.width);
  for (let x = 0; x < img.width; x++) {
    const t = Math.min(1, Math.max(0, (x + 0.5 - litX) / (shadowX - litX)));
    gains[x] = litGain + (shadowGain - litGain) * t;
  }
  return mapLinear(img, (x) => [gains[x]!, gains[x]!, gains[x]!]);
}

/**
 * Sensor noise as in a dim room: zero-mean Gaussian noise of `sigma` (in 8-bit code values) added
 * to each channel independently (Box-Muller on a seeded PRNG), clipped to 0..255.
 */
export function gaussianNoise(img: RgbImage, sigma: number, seed: number): RgbImage {
  const rand = mulberry32(seed); // the repository's seeded PRNG: the same seed gives the same noise on every machine
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < img.data.length; i += 2) {
    const u1 = Math.max(rand(), 1e-12);
    const u2 = rand();
    const radius = Math.sqrt(-2 * Math.log(u1)) * sigma;
    out[i] = Math.min(255, Math.max(0, Math.round(img.data[i]! + radius * Math.cos(2 * Math.PI * u2))));
    if (i + 1 < img.data.length)
      out[i + 1] = Math.min(255, Math.max(0, Math.round(img.data[i + 1]! + radius * Math.sin(2 * Math.PI * u2))));
  }
  return { width: img.width, height: img.height, data: out };
}

// ---------------------------------------------------------------------------------------------
// Geometry: each warp comes with the forward map of a point, so landmarks found on the warped
// image can be compared with the reference landmarks carried through the same known transform.

/** Bilinear sample of the source at (x, y) in pixel-centre coordinates; `fill` outside the image. */
function sampleInto(img: RgbImage, x: number, y: number, fill: readonly [number, number, number], out: Uint8Array, o: number): void {
  const fx = x - 0.5;
  const fy = y - 0.5;
  if (fx < -0.5 || fy < -0.5 || fx > img.width - 0.5 || fy > img.height - 0.5) {
    out[o] = fill[0];
    out[o + 1] = fill[1];
    out[o + 2] = fill[2];
    return;
  }
  const x0 = Math.max(0, Math.min(img.width - 1, Math.floor(fx)));
  const y0 = Math.max(0, Math.min(img.height - 1, Math.floor(fy)));
  const x1 = Math.min(img.width - 1, x0 + 1);
  const y1 = Math.min(img.height - 1, y0 + 1);
  const dx = Math.min(1, Math.max(0, fx - x0));
  const dy = Math.min(1, Math.max(0, fy - y0));
  for (let c = 0; c < 3; c++) {
    const tl = img.data[(y0 * img.width + x0) * 3 + c]!;
    const tr = img.data[(y0 * img.width + x1) * 3 + c]!;
    const bl = img.data[(y1 * img.width + x0) * 3 + c]!;
    const br = img.data[(y1 * img.width + x1) * 3 + c]!;
    const top = tl + (tr - tl) * dx;
    const bottom = bl + (br - bl) * dx;
    out[o + c] = Math.round(top + (bottom - top) * dy);
  }
}

/** Inverse-maps every output pixel centre to a source point (or null = fill) and samples it. */
function warp(img: RgbImage, sourceOf: (x: number, y: number) => Point2 | null, fill: readonly [number, number, number]): RgbImage {
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const o = (y * img.width + x) * 3;
      const src = sourceOf(x + 0.5, y + 0.5);
      if (src) sampleInto(img, src[0], src[1], fill, out, o);
      else {
        out[o] = fill[0];
        out[o + 1] = fill[1];
        out[o + 2] = fill[2];
      }
    }
  }
  return { width: img.width, height: img.height, data: out };
}

/** Where a point lands after rotating the image by `deg` (positive = clockwise on screen, y down) about (cx, cy). */
export function rotatePoint(p: Point2, cx: number, cy: number, deg: number): Point2 {
  const t = (deg * Math.PI) / 180;
  const dx = p[0] - cx;
  const dy = p[1] - cy;
  return [cx + dx * Math.cos(t) - dy * Math.sin(t), cy + dx * Math.sin(t) + dy * Math.cos(t)];
}

/** In-plane head tilt (roll): the image rotated by `deg` about (cx, cy); uncovered corners get `fill`. */
export function rotateAbout(img: RgbImage, cx: number, cy: number, deg: number, fill: readonly [number, number, number]): RgbImage {
  return warp(img, (x, y) => rotatePoint([x, y], cx, cy, -deg), fill);
}

/**
 * A head turn approximated on a vertical cylinder: a point at horizontal offset d = r sin(phi) from
 * the axis moves to r sin(phi + yaw). Positive yaw moves the face surface towards +x. Returns null
 * for a point outside the cylinder (|d| > r: the background, which this warp leaves in place) or
 * turned out of sight (|phi + yaw| > 90 deg). `axis` 'y' applies the same model to a nod (pitch),
 * on a horizontal cylinder.
 */
export function cylinderTurnPoint(p: Point2, centre: number, radius: number, deg: number, axis: 'x' | 'y' = 'x'): Point2 | null {
  const v = axis === 'x' ? p[0] : p[1];
  const d = (v - centre) / radius;
  if (Math.abs(d) > 1) return null;
  const phi = Math.asin(d) + (deg * Math.PI) / 180;
  if (Math.abs(phi) > Math.PI / 2) return null;
  const moved = centre + radius * Math.sin(phi);
  return axis === 'x' ? [moved, p[1]] : [p[0], moved];
}

/**
 * The image warped by cylinderTurnPoint inside the band |v - centre| < radius (the band is the
 * head; outside it the image is unchanged). Surface that would come into view from behind the
 * cylinder's edge does not exist in a photograph: it is filled by stretching the edge pixels.
 */
export function cylinderTurn(img: RgbImage, centre: number, radius: number, deg: number, axis: 'x' | 'y' = 'x'): RgbImage {
  const yaw = (deg * Math.PI) / 180;
  const noFill = [0, 0, 0] as const;
  return warp(
    img,
    (x, y) => {
      const v = axis === 'x' ? x : y;
      const d = (v - centre) / radius;
      if (Math.abs(d) >= 1) return [x, y];
      const phi = Math.max(-Math.PI / 2, Math.min(Math.PI / 2, Math.asin(d) - yaw));
      const src = centre + radius * Math.sin(phi);
      return axis === 'x' ? [src, y] : [x, src];
    },
    noFill,
  );
}

/** The image shifted by (dx, dy) pixels (sub-pixel allowed); uncovered borders get `fill`. A control: it changes nothing that matters. */
export function translate(img: RgbImage, dx: number, dy: number, fill: readonly [number, number, number]): RgbImage {
  return warp(img, (x, y) => [x - dx, y - dy], fill);
}
