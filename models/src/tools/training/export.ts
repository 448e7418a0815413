/**
 * Turns a trained model into the committed artifacts: wearable-distress/weights.json (weights with
 * their reasons and the training record), evaluation.json (LOSO results), model.onnx and the
 * wearable entry of manifest.json. Only the wearable entry is replaced; the manifest is re-read
 * just before writing so entries other builds add (the face models) are kept as they are.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildWearableDistress } from '../build.ts';
import { MANIFEST_PATH, MODELS_DIR, type ModelManifest } from '../../runtime/manifest.ts';
import { BASELINE_FEATURES } from '../../runtime/wearable/baseline-normaliser.ts';
import { WEARABLE_FEATURE_ORDER, type WearableDistressWeights, type WearableFeatureName } from '../../runtime/wearable-distress.ts';
import type { LosoResult, TrainedModel, TrainOptions } from './train-model.ts';

export const WEARABLE_MODEL_VERSION = '3.0.0';

export const STRESS_PREDICT_CITATION =
  'Iqbal T, Simpkin AJ, Roshan D, et al. "Stress Monitoring Using Wearable Sensors: A Pilot Study and Stress-Predict Dataset." ' +
  'Sensors 22(21):8135, 2022. doi:10.3390/s22218135 (MIT licence)';

/** Why each feature belongs in the model, whatever the fit gives it. */
const PHYSIOLOGY: Record<WearableFeatureName, string> = {
  hrZ: 'Heart rate above the patient’s own baseline: sympathetic arousal and vagal withdrawal.',
  rmssdZ: 'RMSSD (beat-to-beat vagal tone over the trailing 30 s) falls under acute stress.',
  sclZ: 'Tonic skin conductance above baseline: sympathetic sudomotor drive.',
  scrRateZ: 'More skin conductance responses per minute (trailing 30 s): phasic sympathetic arousal.',
  tempZ: 'Wrist skin temperature falls with sympathetic vasoconstriction.',
  activityZ:
    'Restless movement is a PAINAD body-language sign and an agitation sign, so it may only raise distress (movement lowers the confidence of the heart and skin features instead).',
};

const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;

function weightReason(feature: WearableFeatureName, i: number, model: TrainedModel, options: TrainOptions, loso: LosoResult): string {
  const sign = options.signs[i];
  const direction = sign === 1 ? 'may only raise distress' : sign === -1 ? 'may only lower distress' : 'is unconstrained';
  const foldWeights = loso.folds.map((f) => f.fittedWeights[i]!);
  const spread = `fitted in the LOSO folds ${round(Math.min(...foldWeights), 3)}..${round(Math.max(...foldWeights), 3)}`;
  if (model.clamped.includes(BASELINE_FEATURES[i]!)) {
    return `${PHYSIOLOGY[feature]} Held at 0: the weight ${direction}, and on Stress-Predict the fit pushed it the other way, so this feature gives no evidence here (${spread}).`;
  }
  return `${PHYSIOLOGY[feature]} Fitted ${round(model.fitted.weights[i]!, 3)} per baseline SD on Stress-Predict (the weight ${direction}; ${spread}); deployed x${round(model.calibration.slope, 3)} (Platt calibration).`;
}

export function weightsFile(model: TrainedModel, options: TrainOptions, loso: LosoResult, subjects: string[]): WearableDistressWeights {
  return {
    name: 'wearable-distress',
    version: WEARABLE_MODEL_VERSION,
    description:
      'Logistic model over six baseline-normalised wrist features, trained by npm run models:train on Stress-Predict (stress tasks vs rest) ' +
      'with leave-one-subject-out validation. Inputs are z-scores against the patient’s own baseline, clipped to +-zClip.',
    featureOrder: [...WEARABLE_FEATURE_ORDER],
    zClip: options.zClip,
    bias: {
      value: round(model.bias, 9),
      reason:
        `Class-balanced fitted bias ${round(model.fitted.bias, 3)}, calibrated by Platt scaling on leave-subject-out logits ` +
        `(slope ${round(model.calibration.slope, 3)}, intercept ${round(model.calibration.intercept, 3)}): ` +
        `a patient at their own baseline scores about ${round(1 / (1 + Math.exp(-model.bias)), 2)}, the probability of being in a stress task on data like Stress-Predict.`,
    },
    weights: WEARABLE_FEATURE_ORDER.map((feature, i) => ({
      feature,
      weight: round(model.weights[i]!, 9),
      reason: weightReason(feature, i, model, options, loso),
    })),
    threshold: {
      value: model.threshold,
      reason:
        'The share of stress windows in the training data: for a calibrated output this is the balanced operating point (log-likelihood ratio 0); balancedAccuracy is reported here. Alerts do not use it: the alert rule accumulates evidence over time.',
    },
    training: {
      data: STRESS_PREDICT_CITATION,
      subjects,
      windows: model.trainingWindows,
      stressWindows: model.trainingPositives,
      windowMs: options.windowMs,
      baselineWindows: options.baselineWindows,
      seed: options.seed,
      lambda: options.lambda,
      signs: Object.fromEntries(WEARABLE_FEATURE_ORDER.map((f, i) => [f, options.signs[i]])),
      calibration: {
        method: 'Platt scaling fitted on leave-subject-out logits of the training subjects',
        slope: round(model.calibration.slope, 9),
        intercept: round(model.calibration.intercept, 9),
      },
      fitted: { weights: model.fitted.weights.map((w) => round(w, 9)), bias: round(model.fitted.bias, 9) },
      clampedBySignConstraint: model.clamped,
      leaveOneSubjectOut: {
        auc: round(loso.auc, 4),
        aucInterval95: loso.aucInterval95.map((x) => round(x, 4)),
        balancedAccuracy: round(loso.balancedAccuracy, 4),
        brier: round(loso.brier, 4),
        brierBaseRate: round(loso.brierBaseRate, 4),
        ece: round(loso.ece, 4),
        perSubjectAucMean: round(loso.perSubjectAuc.mean, 4),
        perSubjectAucSd: round(loso.perSubjectAuc.sd, 4),
        perSubjectBalancedAccuracyMean: round(loso.perSubjectBalancedAccuracy.mean, 4),
      },
    },
  };
}

export function evaluationFile(loso: LosoResult): unknown {
  const r = (x: number) => round(x, 4);
  return {
    method: 'leave-one-subject-out; every held-out window scored by a model trained on the other subjects',
    auc: r(loso.auc),
    aucInterval95: loso.aucInterval95.map(r),
    balancedAccuracy: r(loso.balancedAccuracy),
    brier: r(loso.brier),
    brierBaseRate: r(loso.brierBaseRate),
    ece: r(loso.ece),
    reliability: loso.reliability.map((b) => ({ ...b, meanPredicted: r(b.meanPredicted), observedRate: r(b.observedRate) })),
    threshold: r(loso.threshold),
    subjects: loso.subjects,
    windows: loso.windows,
    perSubjectAuc: Object.fromEntries(Object.entries(loso.perSubjectAuc).map(([k, v]) => [k, r(v)])),
    perSubjectBalancedAccuracy: Object.fromEntries(Object.entries(loso.perSubjectBalancedAccuracy).map(([k, v]) => [k, r(v)])),
    perSubject: loso.perSubject.map((p) => ({ ...p, auc: r(p.auc), balancedAccuracy: r(p.balancedAccuracy) })),
  };
}

const json = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;

/** JSON as the repository's Prettier config formats it (so `prettier --check` passes right after training). */
async function prettyJson(path: string, x: unknown): Promise<string> {
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(path)) ?? {};
    return await prettier.format(json(x), { ...config, plugins: [], filepath: path });
  } catch {
    return json(x);
  }
}

/** Writes weights.json, evaluation.json, model.onnx and the wearable manifest entry; returns the paths written. */
export async function writeWearableArtifacts(
  weights: WearableDistressWeights,
  evaluation: unknown,
  modelsDir = MODELS_DIR,
): Promise<string[]> {
  const dir = resolve(modelsDir, 'wearable-distress');
  mkdirSync(dir, { recursive: true });
  const weightsPath = resolve(dir, 'weights.json');
  const evaluationPath = resolve(dir, 'evaluation.json');
  writeFileSync(weightsPath, await prettyJson(weightsPath, weights));
  writeFileSync(evaluationPath, await prettyJson(evaluationPath, evaluation));
  const built = buildWearableDistress(weights, modelsDir);
  mkdirSync(dirname(built.path), { recursive: true });
  writeFileSync(built.path, built.bytes);
  // Re-read the manifest now (another build may have added entries) and replace only ours.
  const manifestPath = modelsDir === MODELS_DIR ? MANIFEST_PATH : resolve(modelsDir, 'manifest.json');
  let manifest: ModelManifest = { manifestVersion: 1, models: [] };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ModelManifest;
  } catch {
    // No manifest yet: start one with just this entry.
  }
  const at = manifest.models.findIndex((m) => m.name === built.entry.name);
  if (at >= 0) manifest.models[at] = built.entry;
  else manifest.models.unshift(built.entry);
  writeFileSync(manifestPath, json(manifest));
  return [weightsPath, evaluationPath, built.path, manifestPath];
}
