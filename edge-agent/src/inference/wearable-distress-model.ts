/**
 * Wearable distress model on onnxruntime-node, with the lifecycle load -> warm up -> predict.
 * Loading verifies the model file against the sha256 in models/manifest.json and refuses to run a
 * file that does not match: a swapped or corrupted model must never score patients silently.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import {
  findModel,
  loadManifest,
  loadWearableWeights,
  MANIFEST_PATH,
  modelFilePath,
  sha256Hex,
  WEARABLE_DISTRESS_MODEL,
  WEARABLE_FEATURE_ORDER,
  type ModelManifestEntry,
} from '@attune/models';

export class ModelIntegrityError extends Error {
  override name = 'ModelIntegrityError';
}

export interface LoadedModelInfo {
  name: string;
  version: string;
  sha256: string;
  file: string;
}

export class WearableDistressModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly info: LoadedModelInfo,
    /** z-scores are clipped to +-zClip before the model (from the model's weights file). */
    readonly zClip: number,
    private readonly entry: ModelManifestEntry,
  ) {}

  /** Reads the manifest entry, checks the file hash, opens the session and warms it up. */
  static async load(manifestPath: string = MANIFEST_PATH): Promise<WearableDistressModel> {
    const entry = findModel(loadManifest(manifestPath), WEARABLE_DISTRESS_MODEL);
    const file = modelFilePath(entry, manifestPath);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw new ModelIntegrityError(`model file ${file} cannot be read: ${(err as Error).message}`);
    }
    const actual = sha256Hex(bytes);
    if (actual !== entry.sha256) {
      throw new ModelIntegrityError(
        `refusing to run ${entry.name} ${entry.version}: ${file} has sha256 ${actual} but ${manifestPath} expects ${entry.sha256}. ` +
          'Rebuild with `npm run models:build` or restore the file.',
      );
    }
    if (entry.featureOrder.join(',') !== WEARABLE_FEATURE_ORDER.join(',')) {
      throw new ModelIntegrityError(
        `${entry.name}: manifest feature order ${entry.featureOrder.join(',')} is not the one this agent builds`,
      );
    }
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
    const model = new WearableDistressModel(
      session,
      { name: entry.name, version: entry.version, sha256: actual, file },
      loadWearableWeights().zClip,
      entry,
    );
    await model.warmUp();
    return model;
  }

  /** One throw-away run so the first real window does not pay for allocation and kernel setup. */
  private async warmUp(): Promise<void> {
    const out = await this.predict([0, 0, 0, 0, 0, 0]);
    if (!(out >= 0 && out <= 1)) throw new ModelIntegrityError(`${this.info.name} warm-up produced ${out}, expected 0..1`);
  }

  /** z-scores in WEARABLE_FEATURE_ORDER -> distress 0..1. */
  async predict(z: readonly number[]): Promise<number> {
    if (z.length !== WEARABLE_FEATURE_ORDER.length) throw new Error(`expected ${WEARABLE_FEATURE_ORDER.length} features, got ${z.length}`);
    const input = this.entry.inputs[0]!.name;
    const output = this.entry.outputs[0]!.name;
    const tensor = new ort.Tensor('float32', Float32Array.from(z), [1, z.length]);
    const result = await this.session.run({ [input]: tensor });
    return (result[output]!.data as Float32Array)[0]!;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
