/**
 * Evaluates the committed wearable model (the ONNX file the manifest names, hash-checked) on a
 * Stress-Predict-layout folder through the agent's own pipeline: windows, personal baseline from the
 * first minutes and refreshed in vetted calm windows, scoring on onnxruntime.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { findModel, loadManifest, MANIFEST_PATH, modelFilePath, sha256Hex } from '../../runtime/manifest.ts';
import { normaliseWindowsAsync } from '../../runtime/wearable/pipeline.ts';
import { loadWearableWeights, WEARABLE_FEATURE_ORDER } from '../../runtime/wearable-distress.ts';
import type { Dataset } from './dataset.ts';
import { DEFAULT_TRAIN_OPTIONS } from './train-model.ts';
import { summariseScores, type Evaluation } from './train-model.ts';

export const WEARABLE_MODEL_NAME = 'wearable-distress';

export async function evaluateCommittedModel(
  dataset: Dataset,
  options: { manifestPath?: string; baselineWindows?: number } = {},
): Promise<Evaluation & { model: string; version: string }> {
  const manifestPath = options.manifestPath ?? MANIFEST_PATH;
  const entry = findModel(loadManifest(manifestPath), WEARABLE_MODEL_NAME);
  const bytes = readFileSync(modelFilePath(entry, manifestPath));
  if (sha256Hex(bytes) !== entry.sha256) throw new Error(`${entry.file}: sha256 does not match ${manifestPath}; rebuild the model`);
  if (entry.featureOrder.join(',') !== WEARABLE_FEATURE_ORDER.join(',')) throw new Error(`${entry.name}: unexpected feature order`);
  const weights = loadWearableWeights();
  if (weights.version !== entry.version) throw new Error(`weights.json is ${weights.version} but the manifest has ${entry.version}`);
  const threshold = weights.threshold?.value ?? 0.5;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  const input = entry.inputs[0]!.name;
  const output = entry.outputs[0]!.name;
  const predict = async (row: readonly number[]) => {
    const out = await session.run({ [input]: new ort.Tensor('float32', Float32Array.from(row), [1, row.length]) });
    return (out[output]!.data as Float32Array)[0]!;
  };
  try {
    const scored = [];
    for (const subject of dataset.subjects) {
      const windows = await normaliseWindowsAsync(subject.windows, {
        baselineWindows: options.baselineWindows ?? DEFAULT_TRAIN_OPTIONS.baselineWindows,
        zClip: weights.zClip,
        predict,
      });
      const scores: number[] = [];
      const labels: (0 | 1)[] = [];
      windows.forEach((w, i) => {
        const label = subject.labels[i];
        if (label === null || label === undefined || w.distress === null || !w.baselineReady) return;
        scores.push(w.distress);
        labels.push(label);
      });
      scored.push({ subject: subject.subject, scores, labels });
    }
    return { ...summariseScores(scored, threshold), model: entry.name, version: entry.version };
  } finally {
    await session.release();
  }
}
