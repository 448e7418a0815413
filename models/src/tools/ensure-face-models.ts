/**
 * Builds the generated face models when they are missing or differ from the manifest. Run by the
 * repository's `postinstall` (after `npm install`) and `prestart` (before `npm start`); offline
 * and fast (well under a second on a laptop): it only converts the TF.js files already in
 * node_modules/@vladmandic/human. Never fails an install: problems are printed with their fix.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildFaceModels } from './build.ts';
import { faceModelPath } from '../runtime/face-models.ts';
import { FACE_MODEL_DEFINITIONS } from './face-definitions.ts';
import { findModel, loadManifest, MANIFEST_PATH, MODELS_DIR, sha256Hex } from '../runtime/manifest.ts';

export interface EnsureFaceModelsResult {
  /** Models whose file was (re)written. */
  built: string[];
  /** Models whose generated sha256 is not the manifest's (the agent will refuse them). */
  mismatched: { name: string; expected: string; actual: string }[];
  ms: number;
}

function fileMatches(path: string, sha256: string): boolean {
  return existsSync(path) && sha256Hex(readFileSync(path)) === sha256;
}

/** Writes any face model that is missing or stale with respect to the committed manifest. */
export function ensureFaceModels(modelsDir: string = MODELS_DIR, manifestPath: string = MANIFEST_PATH): EnsureFaceModelsResult {
  const started = performance.now();
  const manifest = loadManifest(manifestPath);
  const expected = new Map(FACE_MODEL_DEFINITIONS.map((d) => [d.name, findModel(manifest, d.name).sha256]));
  const stale = FACE_MODEL_DEFINITIONS.filter((d) => !fileMatches(faceModelPath(d.name, modelsDir), expected.get(d.name)!));
  const result: EnsureFaceModelsResult = { built: [], mismatched: [], ms: 0 };
  if (stale.length > 0) {
    const { files, entries } = buildFaceModels(modelsDir);
    for (const def of stale) {
      const i = entries.findIndex((e) => e.name === def.name);
      const file = files[i]!;
      mkdirSync(dirname(file.path), { recursive: true });
      const tmp = `${file.path}.${process.pid}.tmp`;
      writeFileSync(tmp, file.bytes);
      renameSync(tmp, file.path); // atomic: a concurrent reader sees the old or the new file
      result.built.push(def.name);
      const actual = entries[i]!.sha256;
      if (actual !== expected.get(def.name)) result.mismatched.push({ name: def.name, expected: expected.get(def.name)!, actual });
    }
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const r = ensureFaceModels();
    if (r.built.length) console.log(`@attune/models: built ${r.built.join(', ')} in ${r.ms} ms`);
    for (const m of r.mismatched) {
      console.warn(
        `@attune/models: ${m.name} built with sha256 ${m.actual} but manifest.json expects ${m.expected}; ` +
          'the installed @vladmandic/human differs from the one the manifest was built from. Run `npm run models:build` and commit manifest.json.',
      );
    }
  } catch (error) {
    console.warn(
      `@attune/models: face models not built: ${(error as Error).message}. Run \`npm run models:build\` once dependencies are installed.`,
    );
  }
}
