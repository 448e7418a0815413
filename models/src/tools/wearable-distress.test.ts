import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildAll } from './build.ts';
import { findModel, loadManifest, modelFilePath, sha256Hex } from '../runtime/manifest.ts';
import { loadWearableWeights, WEARABLE_FEATURE_ORDER, wearableDistressReference } from '../runtime/wearable-distress.ts';

const weights = loadWearableWeights();
const entry = findModel(loadManifest(), 'wearable-distress');

describe('wearable-distress model', () => {
  it('onnxruntime output equals the plain TypeScript logistic within 1e-6', async () => {
    const session = await ort.InferenceSession.create(modelFilePath(entry));
    expect(session.inputNames).toEqual(['features']);
    expect(session.outputNames).toEqual(['distress']);
    const rows = [
      [0, 0, 0, 0, 0, 0],
      [1, -1, 0.5, 2, -0.5, 0],
      [6, -3, 2, 4, -1.5, 0.2],
      [-2, 2, -1, -1, 1, 3],
      [0.123, -4.56, 3.21, -0.7, 2.2, -6],
    ];
    const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, WEARABLE_FEATURE_ORDER.length]);
    const out = await session.run({ features: input });
    const distress = out.distress!;
    expect(distress.dims).toEqual([rows.length, 1]);
    const data = distress.data as Float32Array;
    rows.forEach((row, i) => {
      expect(Math.abs(data[i]! - wearableDistressReference(weights, row))).toBeLessThan(1e-6);
    });
    // Sanity of the physiology: far above baseline on HR, SCL and SCR is well above the base rate (a
    // calibrated probability, so not near 1 on these lab data); at baseline it is below the base rate.
    expect(data[2]!).toBeGreaterThan(0.6);
    expect(data[0]!).toBeLessThan(0.34);
    await session.release();
  });

  it('builds byte-identical artifacts on every run, equal to the committed ones', () => {
    const a = buildAll();
    const b = buildAll();
    expect(a.files.length).toBe(b.files.length);
    a.files.forEach((f, i) => {
      expect(Buffer.from(f.bytes).equals(Buffer.from(b.files[i]!.bytes))).toBe(true);
      // Drift check: the committed artifacts must be what the build produces (run `npm run models:build`).
      // The manifest is compared as JSON so a formatter may restyle it; the model must match byte for byte.
      if (f.path.endsWith('.json')) {
        expect(JSON.parse(readFileSync(f.path, 'utf8')), `${f.path} is stale; run npm run models:build`).toEqual(
          JSON.parse(Buffer.from(f.bytes).toString('utf8')),
        );
      } else {
        expect(sha256Hex(readFileSync(f.path)), `${f.path} is stale; run npm run models:build`).toBe(sha256Hex(f.bytes));
      }
    });
    expect(sha256Hex(readFileSync(modelFilePath(entry)))).toBe(entry.sha256);
  });

  it('every weight carries a reason and the feature order is fixed', () => {
    expect(weights.weights.map((w) => w.feature)).toEqual([...WEARABLE_FEATURE_ORDER]);
    expect(entry.featureOrder).toEqual([...WEARABLE_FEATURE_ORDER]);
    for (const w of weights.weights) expect(w.reason.length).toBeGreaterThan(20);
  });
});
