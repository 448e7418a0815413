/**
 * Wearable distress model on onnxruntime-node, with the lifecycle load -> warm up -> predict.
 * Loading (@attune/models' openVerifiedSession, as for the face models) verifies the model file
 * against the sha256 in models/manifest.json and refuses to run a file that does not match.
 */
import * as ort from 'onnxruntime-node';
import {
  loadWearableWeights,
  MANIFEST_PATH,
  ModelIntegrityError,
  openVerifiedSession,
  WEARABLE_DISTRESS_MODEL,
  WEARABLE_FEATURE_ORDER,
  type ModelManifestEntry,
} from '@attune/models';

export { ModelIntegrityError };

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
    const { session, entry, file, sha256 } = await openVerifiedSession(WEARABLE_DISTRESS_MODEL, { manifestPath });
    if (entry.featureOrder.join(',') !== WEARABLE_FEATURE_ORDER.join(',')) {
      await session.release();
      throw new ModelIntegrityError(
        `${entry.name}: manifest feature order ${entry.featureOrder.join(',')} is not the one this agent builds`,
      );
    }
    const model = new WearableDistressModel(
      session,
      { name: entry.name, version: entry.version, sha256, file },
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
