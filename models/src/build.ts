/**
 * `npm run models:build`: regenerates every model artifact and models/manifest.json from the
 * sources in this package. Deterministic: running it twice gives byte-identical files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MANIFEST_PATH, MODELS_DIR, sha256Hex, type ModelManifest, type ModelManifestEntry } from './manifest.ts';
import { buildLogisticOnnx } from './onnx-logistic.ts';
import { loadWearableWeights, WEARABLE_FEATURE_ORDER, type WearableDistressWeights } from './wearable-distress.ts';

export const WEARABLE_INPUT = 'features';
export const WEARABLE_OUTPUT = 'distress';

export function buildWearableDistressBytes(weights: WearableDistressWeights): Uint8Array {
  const [major] = weights.version.split('.');
  return buildLogisticOnnx({
    graphName: weights.name,
    modelVersion: Number(major),
    docString: weights.description,
    inputName: WEARABLE_INPUT,
    outputName: WEARABLE_OUTPUT,
    weights: weights.weights.map((w) => w.weight),
    bias: weights.bias.value,
    metadata: {
      name: weights.name,
      version: weights.version,
      feature_order: WEARABLE_FEATURE_ORDER.join(','),
      z_clip: String(weights.zClip),
    },
  });
}

export interface BuildResult {
  manifest: ModelManifest;
  files: { path: string; bytes: Uint8Array }[];
}

/** Builds all artifacts in memory; `outDir` only decides the paths they would be written to. */
export function buildAll(outDir: string = MODELS_DIR): BuildResult {
  const weights = loadWearableWeights();
  const bytes = buildWearableDistressBytes(weights);
  const modelPath = resolve(outDir, 'wearable-distress', 'model.onnx');
  const entry: ModelManifestEntry = {
    name: weights.name,
    version: weights.version,
    file: relative(outDir, modelPath).split('\\').join('/'),
    sha256: sha256Hex(bytes),
    inputs: [{ name: WEARABLE_INPUT, type: 'float32', shape: ['N', WEARABLE_FEATURE_ORDER.length] }],
    outputs: [{ name: WEARABLE_OUTPUT, type: 'float32', shape: ['N', 1] }],
    featureOrder: [...WEARABLE_FEATURE_ORDER],
    modelCard: 'wearable-distress/MODEL_CARD.md',
  };
  const manifest: ModelManifest = { manifestVersion: 1, models: [entry] };
  const manifestBytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  return {
    manifest,
    files: [
      { path: modelPath, bytes },
      { path: resolve(outDir, 'manifest.json'), bytes: manifestBytes },
    ],
  };
}

export function writeBuild(result: BuildResult): void {
  for (const f of result.files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.bytes);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = buildAll();
  writeBuild(result);
  for (const m of result.manifest.models) console.log(`built ${m.name} ${m.version} -> ${m.file} sha256 ${m.sha256}`);
  console.log(`wrote ${relative(process.cwd(), MANIFEST_PATH)}`);
}
