/**
 * `npx tsx models/src/tools/measure-face-models.ts`: the figures in the face model cards. Golden diffs
 * (onnxruntime-node vs TF.js CPU on the golden inputs) and inference time per model at batch 1 on
 * this machine (onnxruntime-node CPU, 1 and 2 intra-op threads; median of 50 runs after 5 warm-ups).
 */
import { cpus } from 'node:os';
import * as ort from 'onnxruntime-node';
import { compareWithTfjs, goldenInputs } from './face-golden.ts';
import { faceModelPath, type FaceModelName } from '../runtime/face-models.ts';
import { FACE_MODEL_DEFINITIONS } from './face-definitions.ts';

async function timeModel(name: FaceModelName, threads: number): Promise<{ p50: number; p95: number }> {
  const session = await ort.InferenceSession.create(faceModelPath(name), { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const input = goldenInputs(name).at(-1)!;
  const feed = { image: new ort.Tensor('float32', input.data, input.shape) };
  for (let i = 0; i < 5; i++) await session.run(feed);
  const ms: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    await session.run(feed);
    ms.push(performance.now() - t0);
  }
  await session.release();
  ms.sort((a, b) => a - b);
  return { p50: ms[25]!, p95: ms[47]! };
}

console.log(
  `machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}, onnxruntime-node ${ort.env.versions.common}`,
);
for (const def of FACE_MODEL_DEFINITIONS) {
  const { rows } = await compareWithTfjs(def.name, faceModelPath(def.name));
  console.log(`\n## ${def.name}\n\n| output | input | max abs diff | max abs ref | relative |\n|---|---|---|---|---|`);
  for (const r of rows) {
    console.log(
      `| ${r.output} | ${r.input} | ${r.maxAbsDiff.toExponential(2)} | ${r.maxAbsRef.toPrecision(4)} | ${r.relative.toExponential(2)} |`,
    );
  }
  for (const threads of [1, 2]) {
    const t = await timeModel(def.name, threads);
    console.log(
      `\ninference (batch 1, ${threads} thread${threads > 1 ? 's' : ''}): p50 ${t.p50.toFixed(2)} ms, p95 ${t.p95.toFixed(2)} ms`,
    );
  }
}
