import { readFileSync } from 'node:fs';
import type * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFaceModels } from './build.ts';
import { ensureFaceModels } from './ensure-face-models.ts';
import { BLAZEFACE_NUM_ANCHORS, EXPRESSION_CLASSES, blazeFaceAnchors, faceModelPath, type FaceModelName } from '../runtime/face-models.ts';
import { FACE_MODEL_DEFINITIONS } from './face-definitions.ts';
import { compareWithTfjs, detectorInput, goldenFrame, type GoldenRun } from './face-golden.ts';
import { findModel, loadManifest, modelFilePath, sha256Hex } from '../runtime/manifest.ts';

const TOLERANCE = 1e-4;

beforeAll(() => {
  // The .onnx files are generated (git-ignored); npm install builds them, this covers a bare checkout.
  ensureFaceModels();
});

describe('face model artifacts', () => {
  it('the build is deterministic and the manifest sha256 is what it produces', () => {
    const a = buildFaceModels();
    const b = buildFaceModels();
    const manifest = loadManifest();
    a.files.forEach((f, i) => {
      expect(Buffer.from(f.bytes).equals(Buffer.from(b.files[i]!.bytes))).toBe(true);
      const entry = findModel(manifest, a.entries[i]!.name);
      expect(entry, `${entry.name}: manifest.json is stale; run npm run models:build`).toEqual(a.entries[i]);
      expect(sha256Hex(readFileSync(modelFilePath(entry)))).toBe(entry.sha256);
      expect(modelFilePath(entry)).toBe(faceModelPath(entry.name as FaceModelName));
    });
  });

  it('manifest entries describe the tensors, licence, source and labels', () => {
    const manifest = loadManifest();
    const det = findModel(manifest, 'face-detector');
    expect(det.inputs).toEqual([{ name: 'image', type: 'float32', shape: [1, 256, 256, 3] }]);
    expect(det.outputs.map((o) => [o.name, o.shape])).toEqual([
      ['scores_stride16', [1, 512, 1]],
      ['boxes_stride16', [1, 512, 16]],
      ['scores_stride32', [1, 384, 1]],
      ['boxes_stride32', [1, 384, 16]],
    ]);
    const mesh = findModel(manifest, 'face-mesh');
    expect(mesh.inputs[0]!.shape).toEqual(['N', 192, 192, 3]);
    expect(mesh.outputs.map((o) => [o.name, o.shape])).toEqual([
      ['landmarks', ['N', 1404]],
      ['confidence', ['N', 1]],
      ['contours', ['N', 266]],
    ]);
    const expr = findModel(manifest, 'face-expression');
    expect(expr.inputs[0]!.shape).toEqual(['N', 64, 64, 1]);
    expect(expr.outputs).toEqual([{ name: 'probabilities', type: 'float32', shape: ['N', 7] }]);
    expect(expr.labels).toEqual([...EXPRESSION_CLASSES]);
    for (const def of FACE_MODEL_DEFINITIONS) {
      const e = findModel(manifest, def.name);
      expect(e.generated).toBe(true);
      expect(e.licence).toMatch(/MIT/);
      expect(e.source).toMatch(/@vladmandic\/human@\d+\.\d+\.\d+ models\//);
    }
  });
});

describe('golden: onnxruntime-node matches TF.js (CPU backend)', () => {
  const runs = new Map<FaceModelName, GoldenRun>();

  for (const def of FACE_MODEL_DEFINITIONS) {
    it(`${def.name}: every output within ${TOLERANCE} of the output scale`, async () => {
      const run = await compareWithTfjs(def.name, faceModelPath(def.name));
      runs.set(def.name, run);
      expect(new Set(run.rows.map((r) => r.output))).toEqual(new Set(def.outputs.map((o) => o.name)));
      for (const r of run.rows) {
        console.log(
          `${r.model} ${r.output} [${r.input}] max|diff| ${r.maxAbsDiff.toExponential(2)} max|ref| ${r.maxAbsRef.toPrecision(4)} rel ${r.relative.toExponential(2)}`,
        );
        expect(r.relative, `${r.model}/${r.output} on ${r.input}`).toBeLessThan(TOLERANCE);
      }
    });
  }

  it('the detector finds the drawn face where it is, decoded with the documented anchors', () => {
    const out = runs.get('face-detector')?.onnx.get('drawn face 640x480');
    expect(out).toBeDefined();
    const o = out as Record<string, ort.Tensor>;
    const logits = [...(o.scores_stride16!.data as Float32Array), ...(o.scores_stride32!.data as Float32Array)];
    const boxes = [...(o.boxes_stride16!.data as Float32Array), ...(o.boxes_stride32!.data as Float32Array)];
    const anchors = blazeFaceAnchors();
    expect(logits).toHaveLength(BLAZEFACE_NUM_ANCHORS);
    expect(anchors).toHaveLength(2 * BLAZEFACE_NUM_ANCHORS);
    let best = 0;
    logits.forEach((l, i) => {
      if (l > logits[best]!) best = i;
    });
    const score = 1 / (1 + Math.exp(-logits[best]!));
    expect(score).toBeGreaterThan(0.75);
    const { side, padX, padY } = detectorInput(goldenFrame());
    const k = side / 256;
    const cx = (anchors[2 * best]! + boxes[16 * best]!) * k - padX;
    const cy = (anchors[2 * best + 1]! + boxes[16 * best + 1]!) * k - padY;
    const w = boxes[16 * best + 2]! * k;
    // The drawn face is centred at (320, 250) and about 220 px wide including the ears.
    expect(Math.abs(cx - 320)).toBeLessThan(25);
    expect(Math.abs(cy - 260)).toBeLessThan(40);
    expect(w).toBeGreaterThan(120);
    expect(w).toBeLessThan(320);
  });

  it('the mesh is confident on the drawn face and puts its 468 landmarks inside the crop', () => {
    const o = runs.get('face-mesh')!.onnx.get('drawn face crop')!;
    expect((o.confidence!.data as Float32Array)[0]).toBeGreaterThan(0.9);
    const lm = o.landmarks!.data as Float32Array;
    expect(lm).toHaveLength(468 * 3);
    for (let i = 0; i < 468; i++) {
      expect(lm[3 * i]).toBeGreaterThan(0);
      expect(lm[3 * i]).toBeLessThan(192);
      expect(lm[3 * i + 1]).toBeGreaterThan(0);
      expect(lm[3 * i + 1]).toBeLessThan(192);
    }
  });

  it('expression probabilities are a distribution over the 7 classes', () => {
    const o = runs.get('face-expression')!.onnx.get('drawn face crop')!;
    const p = Array.from(o.probabilities!.data as Float32Array);
    expect(p).toHaveLength(EXPRESSION_CLASSES.length);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});
