/**
 * `npm run models:build`: regenerates every model artifact and models/manifest.json from the
 * sources in this package. Deterministic: running it twice gives byte-identical files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MANIFEST_PATH, MODELS_DIR, sha256Hex, type ModelManifest, type ModelManifestEntry } from '../runtime/manifest.ts';
import { convertFaceModel, humanModelsDir, humanPackageVersion } from './face-convert.ts';
import { faceModelPath } from '../runtime/face-models.ts';
import { FACE_MODEL_DEFINITIONS } from './face-definitions.ts';
import { buildLogisticOnnx } from './onnx-logistic.ts';
import { loadWearableWeights, WEARABLE_FEATURE_ORDER, type WearableDistressWeights } from '../runtime/wearable-distress.ts';

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
  /** `generated` files are build outputs kept out of git (the face models). */
  files: { path: string; bytes: Uint8Array; generated?: boolean }[];
}

/**
 * The face models, converted from the TF.js graph models in @vladmandic/human by our converter.
 * Their .onnx files are generated (git-ignored); their manifest entries (with sha256) are committed.
 */
export function buildFaceModels(
  outDir: string = MODELS_DIR,
  sourceDir: string = humanModelsDir(),
): { entries: ModelManifestEntry[]; files: BuildResult['files'] } {
  const entries: ModelManifestEntry[] = [];
  const files: BuildResult['files'] = [];
  const humanVersion = humanPackageVersion(sourceDir);
  for (const def of FACE_MODEL_DEFINITIONS) {
    const converted = convertFaceModel(def, sourceDir);
    const path = faceModelPath(def.name, outDir);
    files.push({ path, bytes: converted.bytes, generated: true });
    entries.push({
      name: def.name,
      version: def.version,
      file: relative(outDir, path).split('\\').join('/'),
      sha256: sha256Hex(converted.bytes),
      inputs: converted.inputs,
      outputs: converted.outputs,
      featureOrder: [],
      modelCard: def.modelCard,
      generated: true,
      licence: def.source.licence,
      source: `${def.source.package}@${humanVersion} models/${def.source.modelJson}; upstream ${def.source.upstream}`,
      ...(def.labels ? { labels: [...def.labels] } : {}),
    });
  }
  return { entries, files };
}

/** The wearable model file and its manifest entry (also used by `npm run models:train` to update only this entry). */
export function buildWearableDistress(
  weights: WearableDistressWeights = loadWearableWeights(),
  outDir: string = MODELS_DIR,
): { entry: ModelManifestEntry; path: string; bytes: Uint8Array } {
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
  return { entry, path: modelPath, bytes };
}

/** Builds all artifacts in memory; `outDir` only decides the paths they would be written to. */
export function buildAll(outDir: string = MODELS_DIR): BuildResult {
  const { entry, path: modelPath, bytes } = buildWearableDistress(loadWearableWeights(), outDir);
  const face = buildFaceModels(outDir);
  const manifest: ModelManifest = { manifestVersion: 1, models: [entry, ...face.entries] };
  const manifestBytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  return {
    manifest,
    files: [{ path: modelPath, bytes }, ...face.files, { path: resolve(outDir, 'manifest.json'), bytes: manifestBytes }],
  };
}

export function writeBuild(result: BuildResult): void {
  for (const f of result.files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.bytes);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  const result = buildAll();
  writeBuild(result);
  for (const m of result.manifest.models) console.log(`built ${m.name} ${m.version} -> ${m.file} sha256 ${m.sha256}`);
  console.log(`wrote ${relative(process.cwd(), MANIFEST_PATH)} in ${Math.round(performance.now() - started)} ms`);
}
