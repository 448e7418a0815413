/**
 * `npm run models:eval -- --data <dir>`: evaluates the committed wearable model on any folder of the
 * Stress-Predict layout (raw/SXX/*.csv + labels.csv) and prints one JSON line:
 * {"auc", "balancedAccuracy", "subjects", "windows", ...}. Progress goes to stderr.
 */
import { pathToFileURL } from 'node:url';
import { dataDirForCommand } from './data-dir.ts';
import { loadDataset } from './dataset.ts';
import { evaluateCommittedModel } from './evaluate.ts';

export async function main(argv: readonly string[]): Promise<number> {
  const dataDir = dataDirForCommand(argv, 'models:eval');
  if (dataDir === null) return 2;
  const dataset = loadDataset(dataDir, { log: (m) => console.error(m) });
  const r = await evaluateCommittedModel(dataset);
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  console.log(
    JSON.stringify({
      auc: round(r.auc),
      balancedAccuracy: round(r.balancedAccuracy),
      subjects: r.subjects,
      windows: r.windows,
      threshold: r.threshold,
      perSubjectAucMean: round(r.perSubjectAuc.mean),
      perSubjectAucSd: round(r.perSubjectAuc.sd),
      model: r.model,
      version: r.version,
    }),
  );
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
