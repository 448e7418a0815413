/**
 * Evaluates the committed wearable model (the ONNX file the manifest names, hash-checked) on a
 * Stress-Predict-layout folder through the agent's own pipeline: windows, personal baseline from the
 * first minutes and refreshed in vetted calm windows, scoring on onnxruntime.
 */
import * as ort from 'onnxruntime-node';
import { MANIFEST_PATH } from '../../runtime/manifest.ts';
import { openVerifiedSession } from '../../runtime/onnx-session.ts';
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
  // The same verified session the agent scores patients with (sha256 checked against the manifest).
  const { session, entry } = await openVerifiedSession(WEARABLE_MODEL_NAME, { manifestPath: options.manifestPath ?? MANIFEST_PATH });
  try {
    if (entry.featureOrder.join(',') !== WEARABLE_FEATURE_ORDER.join(',')) throw new Error(`${entry.name}: unexpected feature order`);
    const weights = loadWearableWeights();
    if (weights.version !== entry.version) throw new Error(`weights.json is ${weights.version} but the manifest has ${entry.version}`);
    const threshold = weights.threshold?.value ?? 0.5;
    const input = entry.inputs[0]!.name;
    const output = entry.outputs[0]!.name;
    const predict = async (row: readonly number[]) => {
      const out = await session.run({ [input]: new ort.Tensor('float32', Float32Array.from(row), [1, row.length]) });
      return (out[output]!.data as Float32Array)[0]!;
    };
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
