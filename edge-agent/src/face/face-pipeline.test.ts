import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MANIFEST_PATH, MODELS_DIR } from '@attune/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticFace } from '@attune/models/tools';
import type { RgbFrame } from '../sources/camera/frame.ts';
import type { Detection } from './blazeface.ts';
import { FaceModels } from './face-models.ts';
import { choosePatientFace, FacePipeline } from './face-pipeline.ts';
import { EYES_OPEN_MIN_ASPECT } from './neutral-baseline.ts';
import { ModelIntegrityError } from './onnx-model.ts';

const det = (x1: number, y1: number, size: number, score = 0.9): Detection => ({
  box: { x1, y1, x2: x1 + size, y2: y1 + size },
  score,
  keypoints: [],
});

describe('choosePatientFace', () => {
  it('takes the largest face, or only faces centred in the bed region', () => {
    const patient = det(300, 200, 80);
    const visitor = det(20, 20, 120);
    expect(choosePatientFace([patient, visitor], 640, 480)).toBe(visitor);
    const bed = { x: 0.3, y: 0.3, w: 0.5, h: 0.6 };
    expect(choosePatientFace([patient, visitor], 640, 480, bed)).toBe(patient);
    expect(choosePatientFace([visitor], 640, 480, bed)).toBeNull();
  });
});

function frameOf(options: Parameters<typeof syntheticFace>[0]): RgbFrame {
  const img = syntheticFace(options);
  return {
    width: img.width,
    height: img.height,
    data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength),
    tMs: Date.now(),
  };
}

describe('FacePipeline on the real ONNX models', () => {
  let models: FaceModels;
  beforeAll(async () => {
    models = await FaceModels.load();
  });
  afterAll(async () => {
    await models?.release();
  });

  it('finds the face, its 468 landmarks and expression probabilities; learns a vetted baseline, then reads AUs', async () => {
    const pipeline = new FacePipeline(models, { baselineFrames: 2 });
    const a = await pipeline.analyse(frameOf({}));
    expect(a.facesFound).toBeGreaterThanOrEqual(1);
    const p = a.patient!;
    expect(p.box.x1).toBeGreaterThan(150);
    expect(p.box.x2).toBeLessThan(490);
    expect(Object.values(p.expression).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 3);
    expect(Math.abs(p.pose.yawDeg)).toBeLessThan(15);
    expect(p.measures.eyeOpen).toBeGreaterThan(EYES_OPEN_MIN_ASPECT); // open eyes on the real mesh clear the learning floor
    expect(p.au).toBeNull(); // no baseline yet
    expect(p.expressionChange).toBeNull();
    const b = await pipeline.analyse(frameOf({}));
    // Frames alone teach nothing: the window is vetted with what the wearable said.
    expect(pipeline.baseline.isReady()).toBe(false);
    const faceOnly = { wearableConsented: false, wearable: null };
    const vet = pipeline.baseline.vetWindow([a, b, b, b, b, b, b, b], faceOnly);
    expect(vet.outcome).toBe('accepted'); // 2 frames x 4 without a wearable: the same steady face
    const c = await pipeline.analyse(frameOf({}));
    expect(c.patient!.pspi!).toBeLessThan(1); // the same face against its own baseline
    expect(Math.abs(c.patient!.expressionChange!.sad)).toBeLessThan(0.05);
    pipeline.resetPatient();
    expect(pipeline.baseline.isReady()).toBe(false);
  });

  it('ignores a face outside the bed region, and an empty frame has no face', async () => {
    const pipeline = new FacePipeline(models, { baselineFrames: 2, bedRegion: { x: 0, y: 0, w: 0.3, h: 0.3 } });
    expect((await pipeline.analyse(frameOf({}))).patient).toBeNull();
    const blank: RgbFrame = { width: 640, height: 480, data: new Uint8Array(640 * 480 * 3).fill(90), tMs: 0 };
    expect((await new FacePipeline(models, { baselineFrames: 2 }).analyse(blank)).patient).toBeNull();
  });
});

describe('model integrity', () => {
  let dir = '';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to load a face model whose file does not match the manifest sha256', async () => {
    dir = mkdtempSync(join(tmpdir(), 'attune-manifest-'));
    const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as { models: { name: string; file: string }[] };
    for (const m of manifest.models) {
      mkdirSync(dirname(join(dir, m.file)), { recursive: true });
      copyFileSync(join(MODELS_DIR, m.file), join(dir, m.file));
    }
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const mesh = manifest.models.find((m) => m.name === 'face-mesh')!;
    const bytes = readFileSync(join(dir, mesh.file));
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(join(dir, mesh.file), bytes);
    await expect(FaceModels.load({ manifestPath: join(dir, 'manifest.json') })).rejects.toThrow(ModelIntegrityError);
    await expect(FaceModels.load({ manifestPath: join(dir, 'manifest.json') })).rejects.toThrow(
      /refusing to run face-mesh .*npm run models:build/,
    );
  });
});
