/**
 * An ONNX model with the lifecycle load -> verify -> warm up -> predict. Loading checks the file's
 * sha256 against the models manifest and refuses to run a file that does not match, naming the
 * file and the fix. Session time is accumulated so benchmarks can separate model time from the
 * pipeline's own overhead.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { findModel, loadManifest, MANIFEST_PATH, modelFilePath, sha256Hex, type ModelManifestEntry } from '@attune/models';
import { ModelIntegrityError } from '../inference/wearable-distress-model.ts';

export { ModelIntegrityError };

export interface OnnxModelOptions {
  manifestPath?: string;
  /** onnxruntime intra-op threads (1 leaves the other core to ffmpeg, MQTT and a second agent). */
  threads?: number;
}

export class OnnxModel {
  /** Milliseconds spent inside session.run since the last reset. */
  runMs = 0;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly entry: ModelManifestEntry,
    readonly file: string,
  ) {}

  static async load(name: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
    const manifestPath = options.manifestPath ?? MANIFEST_PATH;
    const manifest = loadManifest(manifestPath);
    let entry: ModelManifestEntry;
    try {
      entry = findModel(manifest, name);
    } catch {
      throw new ModelIntegrityError(
        `model ${name} is not in ${manifestPath}: the face models are generated, run \`npm run models:build\` (needs @vladmandic/human from npm install)`,
      );
    }
    const file = modelFilePath(entry, manifestPath);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw new ModelIntegrityError(`model file ${file} cannot be read (${(err as Error).message}): run \`npm run models:build\``);
    }
    const actual = sha256Hex(bytes);
    if (actual !== entry.sha256) {
      throw new ModelIntegrityError(
        `refusing to run ${entry.name} ${entry.version}: ${file} has sha256 ${actual} but ${manifestPath} expects ${entry.sha256}. ` +
          'Rebuild with `npm run models:build` or restore the file.',
      );
    }
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // No busy-waiting between ops: the agent shares two cores with ffmpeg, MQTT and possibly a
      // second agent, and spinning worker threads steal exactly the CPU they are waiting for.
      extra: { session: { 'intra_op.allow_spinning': '0' } },
    });
    return new OnnxModel(session, entry, file);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }
  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
    const t0 = performance.now();
    try {
      return await this.session.run(feeds);
    } finally {
      this.runMs += performance.now() - t0;
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export { ort };
