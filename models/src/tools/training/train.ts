/**
 * `npm run models:train -- --data <dir> [--seed N] [--dry-run]`: trains the wearable distress model on
 * a Stress-Predict-layout folder, validates it leave-one-subject-out, and (unless --dry-run) writes
 * models/wearable-distress/{weights.json,evaluation.json,model.onnx} and the wearable manifest entry.
 * The data folder comes from --data or ATTUNE_STRESS_PREDICT_DIR. Same data + seed = same model.
 */
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { argOption, dataDirForCommand } from './data-dir.ts';
import { loadDataset } from './dataset.ts';
import { evaluationFile, weightsFile, writeWearableArtifacts } from './export.ts';
import { DEFAULT_TRAIN_OPTIONS, leaveOneSubjectOut, trainModel, type TrainOptions } from './train-model.ts';

export async function main(argv: readonly string[]): Promise<number> {
  const dataDir = dataDirForCommand(argv, 'models:train');
  if (dataDir === null) return 2;
  const seed = argOption(argv, 'seed');
  const options: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...(seed !== undefined ? { seed: Number(seed) } : {}) };
  const log = (m: string) => console.error(m);
  const started = performance.now();
  log(`loading ${dataDir}`);
  const dataset = loadDataset(dataDir, { windowMs: options.windowMs, log });
  log(`leave-one-subject-out over ${dataset.subjects.length} subjects`);
  const loso = leaveOneSubjectOut(dataset, options, log);
  const model = trainModel(dataset.subjects, options);
  const subjects = dataset.subjects.map((s) => s.subject);
  const weights = weightsFile(model, options, loso, subjects);
  log('');
  log(
    `final model on ${model.trainingWindows} windows (${model.trainingPositives} stress), clamped: ${model.clamped.join(', ') || 'none'}`,
  );
  for (const w of weights.weights) log(`  ${w.feature.padEnd(9)} ${w.weight.toFixed(4)}`);
  log(`  bias      ${weights.bias.value.toFixed(4)}   threshold ${model.threshold}`);
  log(
    `LOSO: AUC ${loso.auc.toFixed(3)} (95% subject-bootstrap ${loso.aucInterval95.map((x) => x.toFixed(3)).join('-')}), ` +
      `balanced accuracy ${loso.balancedAccuracy.toFixed(3)}; per subject AUC ${loso.perSubjectAuc.mean.toFixed(3)} +- ${loso.perSubjectAuc.sd.toFixed(3)} ` +
      `(min ${loso.perSubjectAuc.min.toFixed(3)}, max ${loso.perSubjectAuc.max.toFixed(3)})`,
  );
  if (!argv.includes('--dry-run')) {
    for (const p of await writeWearableArtifacts(weights, evaluationFile(loso))) log(`wrote ${relative(process.cwd(), p)}`);
  }
  log(`done in ${Math.round((performance.now() - started) / 1000)} s`);
  console.log(
    JSON.stringify({
      model: weights.name,
      version: weights.version,
      loso: { auc: loso.auc, balancedAccuracy: loso.balancedAccuracy, subjects: loso.subjects, windows: loso.windows },
      weights: weights.weights.map((w) => w.weight),
      bias: weights.bias.value,
    }),
  );
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
