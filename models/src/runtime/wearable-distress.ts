/**
 * The wearable distress model: a transparent logistic model over baseline-normalised wrist
 * features. Since v2 the weights are trained on Stress-Predict by `npm run models:train`
 * (models/src/tools/training; see wearable-distress/weights.json and MODEL_CARD.md); this file holds the
 * plain-TypeScript reference that the ONNX graph must match.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Order of the columns of the `features` input tensor; the edge agent builds rows in this order. */
export const WEARABLE_FEATURE_ORDER = ['hrZ', 'rmssdZ', 'sclZ', 'scrRateZ', 'tempZ', 'activityZ'] as const;
export type WearableFeatureName = (typeof WEARABLE_FEATURE_ORDER)[number];

export interface WearableDistressWeights {
  name: string;
  version: string;
  description: string;
  featureOrder: WearableFeatureName[];
  /** z-scores are clipped to +-zClip before the model so one wild feature cannot saturate it alone. */
  zClip: number;
  bias: { value: number; reason: string };
  weights: { feature: WearableFeatureName; weight: number; reason: string }[];
  /** Operating point on the output for yes/no decisions (v2: the balanced point of the trained model). */
  threshold?: { value: number; reason: string };
  /** How the weights were obtained (v2: data, options, leave-subject-out results); free-form record. */
  training?: Record<string, unknown>;
}

export const WEARABLE_WEIGHTS_PATH = fileURLToPath(new URL('../../wearable-distress/weights.json', import.meta.url));

/** Reads and checks the weights file: every feature exactly once, in WEARABLE_FEATURE_ORDER, each with a reason. */
export function loadWearableWeights(path: string = WEARABLE_WEIGHTS_PATH): WearableDistressWeights {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as WearableDistressWeights;
  const order = raw.featureOrder?.join(',');
  if (order !== WEARABLE_FEATURE_ORDER.join(',')) {
    throw new Error(`${path}: featureOrder must be ${WEARABLE_FEATURE_ORDER.join(',')}, got ${order}`);
  }
  if (raw.weights.length !== WEARABLE_FEATURE_ORDER.length) throw new Error(`${path}: expected ${WEARABLE_FEATURE_ORDER.length} weights`);
  raw.weights.forEach((w, i) => {
    if (w.feature !== WEARABLE_FEATURE_ORDER[i])
      throw new Error(`${path}: weights[${i}] must be ${WEARABLE_FEATURE_ORDER[i]}, got ${w.feature}`);
    if (!Number.isFinite(w.weight)) throw new Error(`${path}: weights[${i}].weight is not a finite number`);
    if (!w.reason || w.reason.length < 10) throw new Error(`${path}: weights[${i}] (${w.feature}) needs a one-line reason`);
  });
  if (!Number.isFinite(raw.bias?.value) || !raw.bias.reason) throw new Error(`${path}: bias needs a value and a reason`);
  if (!(raw.zClip > 0)) throw new Error(`${path}: zClip must be positive`);
  if (raw.threshold && !(raw.threshold.value > 0 && raw.threshold.value < 1)) throw new Error(`${path}: threshold must lie in (0, 1)`);
  return raw;
}

/**
 * Reference implementation: sigmoid(w . z + b) with weights rounded to float32 exactly as they are
 * stored in the ONNX initialisers, so the two agree to float32 accumulation error.
 */
export function wearableDistressReference(weights: WearableDistressWeights, z: readonly number[]): number {
  if (z.length !== WEARABLE_FEATURE_ORDER.length) throw new Error(`expected ${WEARABLE_FEATURE_ORDER.length} features, got ${z.length}`);
  let logit = Math.fround(weights.bias.value);
  weights.weights.forEach((w, i) => {
    logit += Math.fround(w.weight) * Math.fround(z[i]!);
  });
  return 1 / (1 + Math.exp(-logit));
}
