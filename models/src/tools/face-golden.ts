/**
 * Golden comparison of the converted face models with their TF.js originals: fixed inputs
 * (seeded pseudo-random tensors in each model's input range, plus the procedurally drawn face
 * preprocessed exactly as the agent will), onnxruntime-node vs TF.js (pure-JS CPU backend).
 * Shared by the vitest suite and `tsx models/src/tools/measure-face-models.ts` (model-card figures).
 */
import * as ort from 'onnxruntime-node';
import {
  BLAZEFACE_INPUT_SIZE,
  expressionInput,
  FACE_EXPRESSION_INPUT_SIZE,
  FACE_MESH_INPUT_SIZE,
  type FaceModelName,
} from '../runtime/face-models.ts';
import { faceModelDefinition } from './face-definitions.ts';
import { loadTfjsModel } from './face-convert.ts';
import { cropResizeRgb, resizeBilinearRgb, syntheticFace, type RgbImage } from './synthetic-face.ts';
import { loadTfjsReference, runTfjsReference } from './convert/tfjs-reference.ts';

export interface GoldenInput {
  label: string;
  data: Float32Array;
  shape: number[];
}

export interface GoldenRow {
  model: FaceModelName;
  input: string;
  output: string;
  shape: number[];
  maxAbsDiff: number;
  maxAbsRef: number;
  /** max|onnx - tfjs| / max|tfjs| */
  relative: number;
}

/** Deterministic uniform values in [lo, hi) (LCG, so every platform draws the same numbers). */
export function seededUniform(n: number, seed: number, lo: number, hi: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}

/** The test frame: a 640x480 drawn face. */
export function goldenFrame(): RgbImage {
  return syntheticFace({ width: 640, height: 480 });
}

/** Detector input from a frame: zero-pad to a centred square, resize to 256, pixel/127.5 - 1. */
export function detectorInput(frame: RgbImage): { data: Float32Array; padX: number; padY: number; side: number } {
  const side = Math.max(frame.width, frame.height);
  const padX = Math.floor((side - frame.width) / 2);
  const padY = Math.floor((side - frame.height) / 2);
  const sq: RgbImage = { width: side, height: side, data: new Uint8ClampedArray(side * side * 3) };
  for (let y = 0; y < frame.height; y++) {
    sq.data.set(frame.data.subarray(y * frame.width * 3, (y + 1) * frame.width * 3), ((y + padY) * side + padX) * 3);
  }
  const data = resizeBilinearRgb(sq, BLAZEFACE_INPUT_SIZE, BLAZEFACE_INPUT_SIZE).map((v) => v / 127.5 - 1);
  return { data, padX, padY, side };
}

/** The square face crop of the golden frame (the drawn face's known geometry, enlarged as human does). */
export const GOLDEN_FACE_CROP = { x: 320 - 150, y: 255 - 150, size: 300 };

export function meshInput(frame: RgbImage): Float32Array {
  const c = GOLDEN_FACE_CROP;
  return cropResizeRgb(frame, c.x, c.y, c.size, FACE_MESH_INPUT_SIZE).map((v) => v / 255);
}

export function goldenInputs(name: FaceModelName): GoldenInput[] {
  const frame = goldenFrame();
  if (name === 'face-detector') {
    const n = BLAZEFACE_INPUT_SIZE * BLAZEFACE_INPUT_SIZE * 3;
    const shape = [1, BLAZEFACE_INPUT_SIZE, BLAZEFACE_INPUT_SIZE, 3];
    return [
      { label: 'uniform[-1,1) seed 1', data: seededUniform(n, 1, -1, 1), shape },
      { label: 'uniform[-1,1) seed 2', data: seededUniform(n, 2, -1, 1), shape },
      { label: 'drawn face 640x480', data: detectorInput(frame).data, shape },
    ];
  }
  if (name === 'face-mesh') {
    const n = FACE_MESH_INPUT_SIZE * FACE_MESH_INPUT_SIZE * 3;
    return [
      {
        label: 'uniform[0,1) seeds 3+4, batch 2',
        data: Float32Array.from([...seededUniform(n, 3, 0, 1), ...seededUniform(n, 4, 0, 1)]),
        shape: [2, 192, 192, 3],
      },
      { label: 'drawn face crop', data: meshInput(frame), shape: [1, 192, 192, 3] },
    ];
  }
  const n = FACE_EXPRESSION_INPUT_SIZE * FACE_EXPRESSION_INPUT_SIZE;
  return [
    {
      label: 'uniform[-1,1) seeds 5+6, batch 2',
      data: Float32Array.from([...seededUniform(n, 5, -1, 1), ...seededUniform(n, 6, -1, 1)]),
      shape: [2, 64, 64, 1],
    },
    { label: 'drawn face crop', data: expressionInput(meshInput(frame), FACE_MESH_INPUT_SIZE), shape: [1, 64, 64, 1] },
  ];
}

export interface GoldenRun {
  rows: GoldenRow[];
  /** ONNX outputs per input label, for functional checks. */
  onnx: Map<string, Record<string, ort.Tensor>>;
}

/** Runs the ONNX model (bytes or path) and the TF.js original on the golden inputs. */
export async function compareWithTfjs(name: FaceModelName, onnxModel: Uint8Array | string): Promise<GoldenRun> {
  const def = faceModelDefinition(name);
  const session =
    typeof onnxModel === 'string' ? await ort.InferenceSession.create(onnxModel) : await ort.InferenceSession.create(onnxModel);
  const { model, readShard } = loadTfjsModel(def);
  const reference = await loadTfjsReference(model, readShard);
  const rows: GoldenRow[] = [];
  const onnx = new Map<string, Record<string, ort.Tensor>>();
  try {
    for (const input of goldenInputs(name)) {
      const out = await session.run({ [def.inputs[0]!.name]: new ort.Tensor('float32', input.data, input.shape) });
      onnx.set(input.label, out);
      const ref = await runTfjsReference(
        reference,
        input,
        def.outputs.map((o) => o.tfName),
      );
      def.outputs.forEach((o, i) => {
        const got = out[o.name]!;
        const want = ref[i]!;
        if (got.dims.join() !== want.shape.join())
          throw new Error(`${name}/${o.name}: shape ${got.dims.join('x')} != TF.js ${want.shape.join('x')}`);
        const a = got.data as Float32Array;
        let maxAbsDiff = 0;
        let maxAbsRef = 0;
        for (let k = 0; k < want.data.length; k++) {
          maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[k]! - want.data[k]!));
          maxAbsRef = Math.max(maxAbsRef, Math.abs(want.data[k]!));
        }
        rows.push({
          model: name,
          input: input.label,
          output: o.name,
          shape: [...want.shape],
          maxAbsDiff,
          maxAbsRef,
          relative: maxAbsDiff / maxAbsRef,
        });
      });
    }
  } finally {
    reference.dispose();
    await session.release();
  }
  return { rows, onnx };
}
