/**
 * A face model with the lifecycle load -> verify -> warm up -> predict. Loading and the integrity
 * check are @attune/models' openVerifiedSession (the same for every model the agent runs); this
 * wrapper accumulates session time so benchmarks can separate model time from the pipeline's own
 * overhead.
 */
import * as ort from 'onnxruntime-node';
import { ModelIntegrityError, openVerifiedSession, type ModelManifestEntry, type VerifiedSessionOptions } from '@attune/models';

export { ModelIntegrityError };

export type OnnxModelOptions = VerifiedSessionOptions;

export class OnnxModel {
  /** Milliseconds spent inside session.run since the last reset. */
  runMs = 0;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly entry: ModelManifestEntry,
    readonly file: string,
  ) {}

  static async load(name: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
    const { session, entry, file } = await openVerifiedSession(name, options);
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
