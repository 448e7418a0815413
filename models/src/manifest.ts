/**
 * The model manifest (models/manifest.json): what each model is, where its file is and the sha256
 * the edge agent must see before it runs the model.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TensorSpec {
  name: string;
  type: 'float32';
  /** Dimensions; a string is a symbolic (batch) dimension. */
  shape: (number | string)[];
}

export interface ModelManifestEntry {
  name: string;
  version: string;
  /** Path of the model file relative to the manifest's folder. */
  file: string;
  sha256: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Column order of the input features. */
  featureOrder: string[];
  modelCard: string;
}

export interface ModelManifest {
  manifestVersion: 1;
  models: ModelManifestEntry[];
}

/** Root of the @attune/models package (where manifest.json lives). */
export const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST_PATH = resolve(MODELS_DIR, 'manifest.json');

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function loadManifest(manifestPath: string = MANIFEST_PATH): ModelManifest {
  let parsed: ModelManifest;
  try {
    parsed = JSON.parse(readFileSync(manifestPath, 'utf8')) as ModelManifest;
  } catch (err) {
    throw new Error(`cannot read model manifest ${manifestPath}: ${(err as Error).message}`);
  }
  if (parsed.manifestVersion !== 1 || !Array.isArray(parsed.models)) {
    throw new Error(`model manifest ${manifestPath} is not a v1 manifest`);
  }
  for (const m of parsed.models) {
    if (!m.name || !m.version || !m.file || !/^[0-9a-f]{64}$/.test(m.sha256 ?? '')) {
      throw new Error(`model manifest ${manifestPath}: entry ${JSON.stringify(m.name)} lacks name, version, file or a sha256`);
    }
  }
  return parsed;
}

export function findModel(manifest: ModelManifest, name: string): ModelManifestEntry {
  const entry = manifest.models.find((m) => m.name === name);
  if (!entry) throw new Error(`model ${name} is not in the manifest (have: ${manifest.models.map((m) => m.name).join(', ')})`);
  return entry;
}

/** Absolute path of a model's file, resolved against the manifest that lists it. */
export function modelFilePath(entry: ModelManifestEntry, manifestPath: string = MANIFEST_PATH): string {
  return resolve(dirname(manifestPath), entry.file);
}
