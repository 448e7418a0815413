/**
 * A procedurally drawn, face-like RGB test image (no photograph, no rights question): skin-toned
 * head with hair, ears, eyes (sclera, iris, pupil), brows, nose shading and lips, softly shaded.
 * Deterministic for given parameters. Used by the golden tests, and usable by other tests that
 * need "a face" without committing an image.
 */
export interface SyntheticFaceOptions {
  width?: number;
  height?: number;
  /** Face centre and half-width as fractions of the image. */
  cx?: number;
  cy?: number;
  scale?: number;
  /** Skin colour (RGB 0..255). */
  skin?: [number, number, number];
  /** Mouth curvature: positive smiles, negative frowns. */
  smile?: number;
}

export interface RgbImage {
  width: number;
  height: number;
  /** Interleaved RGB, row-major, 0..255. */
  data: Uint8ClampedArray;
}

function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

export function syntheticFace(options: SyntheticFaceOptions = {}): RgbImage {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const s = (options.scale ?? 0.17) * width; // face half-width in pixels
  const cx = (options.cx ?? 0.5) * width;
  const cy = (options.cy ?? 0.52) * height;
  const skin = options.skin ?? [224, 172, 140];
  const smile = options.smile ?? 0.15;
  const data = new Uint8ClampedArray(width * height * 3);
  const ell = (x: number, y: number, ex: number, ey: number, rx: number, ry: number) => ((x - ex) / rx) ** 2 + ((y - ey) / ry) ** 2;
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const x = px + 0.5;
      const y = py + 0.5;
      // Background: a soft vertical gradient (a wall).
      let r = 150 + 40 * (py / height);
      let g = 160 + 30 * (py / height);
      let b = 175 + 20 * (py / height);
      const mix = (c: [number, number, number], a: number) => {
        r += (c[0] - r) * a;
        g += (c[1] - g) * a;
        b += (c[2] - b) * a;
      };
      // Neck and shoulders.
      if (y > cy + 1.1 * s) {
        const neck = 1 - smoothstep(0.5 * s, 0.55 * s, Math.abs(x - cx));
        mix([skin[0] * 0.85, skin[1] * 0.85, skin[2] * 0.85], neck);
        const shoulders = smoothstep(cy + 1.55 * s, cy + 1.6 * s, y) * (1 - smoothstep(2.2 * s, 2.3 * s, Math.abs(x - cx)));
        mix([60, 80, 120], shoulders);
      }
      // Hair behind the head.
      const hair = 1 - smoothstep(0.95, 1.05, ell(x, y, cx, cy - 0.25 * s, 1.12 * s, 1.25 * s));
      mix([60, 40, 28], hair * (y < cy + 0.2 * s ? 1 : 0));
      // Ears.
      for (const side of [-1, 1]) {
        const ear = 1 - smoothstep(0.9, 1.1, ell(x, y, cx + side * 0.98 * s, cy, 0.14 * s, 0.26 * s));
        mix([skin[0] * 0.9, skin[1] * 0.88, skin[2] * 0.88], ear);
      }
      // Face: an egg shape, shaded towards the rim.
      const eggRy = y > cy ? 1.32 * s : 1.2 * s;
      const eggRx = y > cy ? s * (1 - 0.25 * ((y - cy) / eggRy) ** 2) : s;
      const f = ell(x, y, cx, cy, eggRx, eggRy);
      const face = 1 - smoothstep(0.92, 1.0, f);
      const shade = 1 - 0.18 * smoothstep(0.3, 1.0, f);
      mix([skin[0] * shade, skin[1] * shade, skin[2] * shade], face);
      // Fringe of hair over the forehead.
      const fringe = (1 - smoothstep(0.95, 1.05, ell(x, y, cx, cy - 1.05 * s, 1.0 * s, 0.42 * s))) * face;
      mix([60, 40, 28], fringe);
      // Eyes: sclera, iris, pupil, with upper-lid shadow; brows above.
      for (const side of [-1, 1]) {
        const ex = cx + side * 0.4 * s;
        const ey = cy - 0.12 * s;
        const socket = 1 - smoothstep(0.6, 1.0, ell(x, y, ex, ey - 0.02 * s, 0.3 * s, 0.17 * s));
        mix([skin[0] * 0.8, skin[1] * 0.74, skin[2] * 0.74], socket * 0.6);
        const sclera = 1 - smoothstep(0.85, 1.0, ell(x, y, ex, ey, 0.2 * s, 0.09 * s));
        mix([240, 236, 230], sclera);
        const iris = (1 - smoothstep(0.8, 1.0, ell(x, y, ex, ey, 0.085 * s, 0.085 * s))) * sclera;
        mix([70, 50, 35], iris);
        const pupil = (1 - smoothstep(0.7, 1.0, ell(x, y, ex, ey, 0.035 * s, 0.035 * s))) * sclera;
        mix([10, 8, 8], pupil);
        const lid = (1 - smoothstep(0.0, 0.02 * s, Math.abs(ell(x, y, ex, ey, 0.2 * s, 0.09 * s) - 1) * 0.09 * s)) * (y < ey ? 1 : 0);
        mix([40, 25, 20], lid * 0.8);
        const browY = ey - 0.26 * s + 0.08 * s * ((x - ex) / (0.3 * s)) ** 2;
        const brow = (1 - smoothstep(0.025 * s, 0.045 * s, Math.abs(y - browY))) * (1 - smoothstep(0.26 * s, 0.3 * s, Math.abs(x - ex)));
        mix([55, 38, 28], brow);
      }
      // Nose: a shaded ridge and nostrils.
      const ridge =
        (1 - smoothstep(0.0, 0.06 * s, Math.abs(x - cx - 0.05 * s))) *
        smoothstep(cy - 0.1 * s, cy + 0.1 * s, y) *
        (1 - smoothstep(cy + 0.3 * s, cy + 0.34 * s, y));
      mix([skin[0] * 0.8, skin[1] * 0.72, skin[2] * 0.7], ridge * 0.5);
      for (const side of [-1, 1]) {
        const nostril = 1 - smoothstep(0.6, 1.0, ell(x, y, cx + side * 0.09 * s, cy + 0.33 * s, 0.05 * s, 0.03 * s));
        mix([90, 55, 45], nostril);
      }
      const noseTip = 1 - smoothstep(0.5, 1.0, ell(x, y, cx, cy + 0.28 * s, 0.14 * s, 0.09 * s));
      mix([skin[0] * 0.92, skin[1] * 0.85, skin[2] * 0.82], noseTip * 0.5);
      // Mouth: lips along a curve, a dark line between them.
      const mx = (x - cx) / (0.34 * s);
      if (Math.abs(mx) < 1.1) {
        const curve = cy + 0.68 * s + smile * 0.25 * s * (1 - mx * mx);
        const lipHalf = 0.07 * s * Math.max(0, 1 - mx * mx);
        const lips = 1 - smoothstep(lipHalf * 0.8, lipHalf + 0.01 * s, Math.abs(y - curve));
        mix([180, 80, 80], lips);
        const line = (1 - smoothstep(0.006 * s, 0.016 * s, Math.abs(y - curve))) * (1 - smoothstep(0.95, 1.05, Math.abs(mx)));
        mix([70, 25, 25], line);
      }
      const o = 3 * (py * width + px);
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = b;
    }
  }
  return { width, height, data };
}

/** Channel c interpolated between rows y0, y1 (weight dy) and columns x0, x1 (weight dx). */
function bilinear(img: RgbImage, c: number, y0: number, y1: number, dy: number, x0: number, x1: number, dx: number): number {
  const p = (yy: number, xx: number) => img.data[3 * (yy * img.width + xx) + c]!;
  const top = p(y0, x0) + (p(y0, x1) - p(y0, x0)) * dx;
  const bot = p(y1, x0) + (p(y1, x1) - p(y1, x0)) * dx;
  return top + (bot - top) * dy;
}

/** Bilinear resize of an RGB image (TF.js resizeBilinear semantics, align_corners=false, no half-pixel). */
export function resizeBilinearRgb(img: RgbImage, outW: number, outH: number): Float32Array {
  const out = new Float32Array(outW * outH * 3);
  const sy = img.height / outH;
  const sx = img.width / outW;
  for (let y = 0; y < outH; y++) {
    const fy = y * sy;
    const y0 = Math.floor(fy);
    const y1 = Math.min(img.height - 1, y0 + 1);
    const dy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = x * sx;
      const x0 = Math.floor(fx);
      const x1 = Math.min(img.width - 1, x0 + 1);
      const dx = fx - x0;
      for (let c = 0; c < 3; c++) out[3 * (y * outW + x) + c] = bilinear(img, c, y0, y1, dy, x0, x1, dx);
    }
  }
  return out;
}

/** Crops the square [x0, y0, size] (pixels) out of an image and resizes it bilinearly to `out` x `out`. */
export function cropResizeRgb(img: RgbImage, x0: number, y0: number, size: number, out: number): Float32Array {
  const res = new Float32Array(out * out * 3);
  for (let y = 0; y < out; y++) {
    const fy = Math.min(img.height - 1, Math.max(0, y0 + ((y + 0.5) * size) / out - 0.5));
    const ya = Math.floor(fy);
    const yb = Math.min(img.height - 1, ya + 1);
    const dy = fy - ya;
    for (let x = 0; x < out; x++) {
      const fx = Math.min(img.width - 1, Math.max(0, x0 + ((x + 0.5) * size) / out - 0.5));
      const xa = Math.floor(fx);
      const xb = Math.min(img.width - 1, xa + 1);
      const dx = fx - xa;
      for (let c = 0; c < 3; c++) res[3 * (y * out + x) + c] = bilinear(img, c, ya, yb, dy, xa, xb, dx);
    }
  }
  return res;
}
