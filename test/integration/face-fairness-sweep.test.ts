/**
 * The face fairness sweep's pieces against the real face models on a real photograph (the edge
 * bench's public-domain astronaut portrait): the reference reads back identically, the skin mask
 * built from FaceMesh landmarks covers the face, the skin ladder reaches its ITA categories on a
 * photographed face, and the pose conditions' point maps point where the landmarks really go
 * (a sign error in a warp would show as a displacement of most of an eye distance).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceModels, iou } from '@attune/edge-agent/face';
import { ffmpegPath } from '@attune/edge-agent/camera';
import { CONDITIONS, MESH_CONTOURS, SKIN_LADDER, skinMaskFromLandmarks, type FixtureContext } from '../bench/face-fairness/conditions.ts';
import { readFace, type FaceReading } from '../bench/face-fairness/face-reading.ts';
import { expressionMeanAbsDiff, landmarkDisplacement } from '../bench/face-fairness/metrics.ts';
import { exposure, itaDeg, meanLab, type RgbImage } from '../bench/face-fairness/transforms.ts';

const W = 640;
const H = 480;

function astronautFrame(): RgbImage {
  const file = fileURLToPath(new URL('../bench/edge/fixtures/astronaut.jpg', import.meta.url));
  const data = execFileSync(
    ffmpegPath(),
    [
      '-loglevel',
      'error',
      '-i',
      file,
      '-vf',
      `scale=-2:400,pad=${W}:${H}:120:40:color=0x505860,format=rgb24`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { maxBuffer: W * H * 3 + 1024 },
  );
  return { width: W, height: H, data: new Uint8Array(data) };
}

let models: FaceModels;
let image: RgbImage;
let reference: FaceReading;
let ctx: FixtureContext;

beforeAll(async () => {
  models = await FaceModels.load({ threads: 1 });
  image = astronautFrame();
  const r = await readFace(models, image);
  if (!r) throw new Error('the face path found no face on the astronaut portrait');
  reference = r;
  const p = r.points;
  ctx = {
    image,
    referenceBox: r.box,
    referencePoints: p,
    skinMask: skinMaskFromLandmarks(W, H, p),
    faceCentre: [(r.box.x1 + r.box.x2) / 2, (r.box.y1 + r.box.y2) / 2],
    headHalfWidthPx: (Math.abs(p[MESH_CONTOURS.leftCheek]![0] - p[MESH_CONTOURS.rightCheek]![0]) / 2) * 1.1,
    headHalfHeightPx: (Math.abs(p[MESH_CONTOURS.chin]![1] - p[MESH_CONTOURS.foreheadTop]![1]) / 2) * 1.15,
    seed: 1,
  };
});
afterAll(async () => {
  await models?.release();
});

const condition = (id: string) => {
  const c = CONDITIONS.find((x) => x.id === id);
  if (!c) throw new Error(`no condition ${id}`);
  return c;
};

async function readUnder(id: string) {
  const t = condition(id).apply(ctx);
  const r = await readFace(models, t.image);
  if (!r) return null;
  return {
    iou: iou(r.box, t.expectedBox),
    displacement: landmarkDisplacement(
      r.points,
      reference.points.map((p) => t.mapPoint(p)),
      reference.interOcularPx,
    ).meanIod,
    mad: expressionMeanAbsDiff(r.expression, reference.expression),
  };
}

describe('face fairness sweep on a real portrait', () => {
  it('reads the untransformed frame back identically', async () => {
    const r = await readUnder('reference');
    expect(r).not.toBeNull();
    expect(r!.iou).toBe(1);
    expect(r!.displacement).toBe(0);
    expect(r!.mad).toBe(0);
  });

  it('builds a skin mask about the size of the detected face', () => {
    const area = ctx.skinMask.reduce((s, v) => s + v, 0);
    const box = (reference.box.x2 - reference.box.x1) * (reference.box.y2 - reference.box.y1);
    expect(area / box).toBeGreaterThan(0.5);
    expect(area / box).toBeLessThan(1.5);
    // Nothing outside twice the face box is touched.
    const b = reference.box;
    const w = b.x2 - b.x1;
    expect(ctx.skinMask[Math.round(b.y1 - w) * W + Math.round(b.x1 - w)]).toBe(0);
  });

  it('takes the photographed skin to the lightest and darkest ITA categories', () => {
    const lightest = SKIN_LADDER[0]!;
    const darkest = SKIN_LADDER.at(-1)!;
    const at = (id: string) => {
      const s = meanLab(condition(id).apply(ctx).image, ctx.skinMask);
      return itaDeg(s.l, s.b);
    };
    expect(at(lightest.id)).toBeGreaterThan(50);
    expect(at(darkest.id)).toBeLessThan(-30);
  });

  it('carries the reference landmarks to where the mesh finds them after a shift, a tilt and a turn', async () => {
    for (const id of ['shift-1px', 'roll+20', 'roll-20', 'yaw+30', 'pitch+15']) {
      const r = await readUnder(id);
      expect(r, id).not.toBeNull();
      expect(r!.iou, id).toBeGreaterThanOrEqual(0.5);
      // A mirrored or reversed map would put the landmarks most of an eye distance away.
      expect(r!.displacement, id).toBeLessThan(0.2);
    }
  });

  it('finds no face in a frame with the light off, so detection can fail', async () => {
    expect(await readFace(models, exposure(image, -12))).toBeNull();
  });
});
