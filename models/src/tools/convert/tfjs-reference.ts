/**
 * The TF.js reference used by the golden tests: @tensorflow/tfjs-core with the pure-JS CPU backend
 * and tfjs-converter's loadGraphModel fed from memory (a custom IOHandler), so no network and no
 * file:// handler. Dev dependencies only; never imported by the agent.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { concatBytes, type TfModelJson } from './tfjs-graph.ts';

let ready: Promise<void> | undefined;

export function tfjsCpu(): Promise<void> {
  ready ??= (async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  })();
  return ready;
}

/** Loads a TF.js graph model from its parsed model.json and shard reader. */
export async function loadTfjsReference(model: TfModelJson, readShard: (p: string) => Uint8Array): Promise<GraphModel> {
  await tfjsCpu();
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: model.modelTopology,
      weightSpecs: model.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: concatBytes(model.weightsManifest.flatMap((g) => g.paths.map(readShard))).buffer as ArrayBuffer,
      format: model.format,
      generatedBy: model.generatedBy,
      convertedBy: model.convertedBy ?? null,
      signature: model.signature as object | undefined,
      userDefinedMetadata: model.userDefinedMetadata as Record<string, object> | undefined,
    }),
  };
  return loadGraphModel(handler);
}

/** Runs the reference on one float32 input and returns the named outputs as flat arrays. */
export async function runTfjsReference(
  model: GraphModel,
  input: { data: Float32Array; shape: number[]; name?: string },
  outputs: string[],
): Promise<{ data: Float32Array; shape: number[] }[]> {
  const x = tf.tensor(input.data, input.shape, 'float32');
  const feed = input.name ? { [input.name]: x } : x;
  const res = model.execute(feed, outputs);
  const list = Array.isArray(res) ? res : [res];
  const out = await Promise.all(list.map(async (t) => ({ data: Float32Array.from(await t.data()), shape: [...t.shape] })));
  tf.dispose([x, ...list]);
  return out;
}
