/**
 * Conversion of the face models from the TF.js graph models in node_modules/@vladmandic/human/models
 * (build time only; the agent never imports this).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FaceModelDefinition } from './face-definitions.ts';
import { MODELS_DIR } from '../runtime/manifest.ts';
import type { TfModelJson } from './convert/tfjs-graph.ts';
import { convertTfjsGraphToOnnx, type ConvertResult } from './convert/tfjs-to-onnx.ts';

/** The models/ folder of the installed @vladmandic/human package (searched up from this package). */
export function humanModelsDir(from: string = MODELS_DIR): string {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'node_modules', '@vladmandic', 'human', 'models');
    if (existsSync(join(candidate, 'blazeface.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('cannot find node_modules/@vladmandic/human/models: run npm install (it is a dev dependency of the repository root)');
}

/** Version of the installed @vladmandic/human (recorded in the models' metadata). */
export function humanPackageVersion(modelsDir: string = humanModelsDir()): string {
  const pkg = JSON.parse(readFileSync(join(modelsDir, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function loadTfjsModel(
  def: FaceModelDefinition,
  sourceDir: string = humanModelsDir(),
): { model: TfModelJson; readShard: (p: string) => Uint8Array } {
  const model = JSON.parse(readFileSync(join(sourceDir, def.source.modelJson), 'utf8')) as TfModelJson;
  return { model, readShard: (p) => new Uint8Array(readFileSync(join(sourceDir, p))) };
}

export interface ConvertedFaceModel extends ConvertResult {
  definition: FaceModelDefinition;
}

/** Converts one face model in memory (deterministic: same sources, same bytes). */
export function convertFaceModel(def: FaceModelDefinition, sourceDir: string = humanModelsDir()): ConvertedFaceModel {
  const { model, readShard } = loadTfjsModel(def, sourceDir);
  const [major] = def.version.split('.');
  const result = convertTfjsGraphToOnnx(model, readShard, {
    graphName: def.name,
    inputs: def.inputs,
    outputs: def.outputs,
    docString: def.description,
    modelVersion: Number(major),
    metadata: {
      name: def.name,
      version: def.version,
      source: `${def.source.package}@${humanPackageVersion(sourceDir)} models/${def.source.modelJson}`,
      upstream: def.source.upstream,
      licence: def.source.licence,
      ...(def.labels ? { labels: def.labels.join(',') } : {}),
    },
  });
  return { ...result, definition: def };
}
