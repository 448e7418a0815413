/**
 * The one way the edge agent opens a model: read the manifest entry, check the file's sha256
 * against it, and only then hand the bytes to onnxruntime. A swapped or corrupted model must never
 * score patients silently, so anything that does not match is refused with the file and the fix.
 *
 * onnxruntime-node is a dependency of the edge agent (the only runtime user of this module); the
 * offline tools and tests of this package use it too.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { findModel, loadManifest, MANIFEST_PATH, modelFilePath, sha256Hex, type ModelManifestEntry } from './manifest.ts';

/** A model that is missing, unreadable or not the file the manifest names (by sha256). */
export class ModelIntegrityError extends Error {
  override name = 'ModelIntegrityError';
}

export interface VerifiedSessionOptions {
  /** The manifest to verify against (default: models/manifest.json). */
  manifestPath?: string;
  /** onnxruntime intra-op threads (1 leaves the other core to ffmpeg, MQTT and a second agent). */
  threads?: number;
}

export interface VerifiedSession {
  session: ort.InferenceSession;
  entry: ModelManifestEntry;
  /** Absolute path of the model file. */
  file: string;
  /** sha256 of the bytes the session was created from (equal to the manifest's). */
  sha256: string;
}

/**
 * Session options for every model the agent runs (the face models' options, which were the
 * stricter of the two sets in use): CPU only, sequential execution with one inter-op thread, and
 * no busy-waiting between ops, because the agent shares two cores with ffmpeg, MQTT and possibly
 * a second agent and spinning worker threads steal exactly the CPU they are waiting for. Full
 * graph optimisation is onnxruntime's default, stated here so it cannot drift.
 */
export function agentSessionOptions(threads = 1): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { 'intra_op.allow_spinning': '0' } },
  };
}

/** Reads `name` from the manifest, verifies its file's sha256 and opens an onnxruntime session on it. */
export async function openVerifiedSession(name: string, options: VerifiedSessionOptions = {}): Promise<VerifiedSession> {
  const manifestPath = options.manifestPath ?? MANIFEST_PATH;
  const manifest = loadManifest(manifestPath);
  let entry: ModelManifestEntry;
  try {
    entry = findModel(manifest, name);
  } catch {
    throw new ModelIntegrityError(
      `model ${name} is not in ${manifestPath}: run \`npm run models:build\` (the face models are generated from @vladmandic/human, which npm install brings)`,
    );
  }
  const file = modelFilePath(entry, manifestPath);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ModelIntegrityError(`model file ${file} cannot be read (${(err as Error).message}): run \`npm run models:build\``);
  }
  const sha256 = sha256Hex(bytes);
  if (sha256 !== entry.sha256) {
    throw new ModelIntegrityError(
      `refusing to run ${entry.name} ${entry.version}: ${file} has sha256 ${sha256} but ${manifestPath} expects ${entry.sha256}. ` +
        'Rebuild with `npm run models:build` or restore the file.',
    );
  }
  const session = await ort.InferenceSession.create(bytes, agentSessionOptions(options.threads));
  return { session, entry, file, sha256 };
}
