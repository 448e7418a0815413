/**
 * The face models: BlazeFace (detector), FaceMesh (468 landmarks) and the FER2013 expression
 * network, converted by our TF.js -> ONNX converter from the MIT-licensed TF.js graph models that
 * the npm package `@vladmandic/human` ships in its `models/` folder. The .onnx files are
 * generated (not committed): `npm run models:build`, or automatically by `npm install` /
 * `npm start` when missing (see tools/ensure-face-models.ts; where each model comes from is
 * tools/face-definitions.ts, the conversion tools/face-convert.ts). This module is runtime-only
 * (no converter, no onnx-proto): the agent imports it.
 *
 * Everything the edge agent needs to feed and decode the models lives here: file paths, tensor
 * names and shapes, the preprocessing each model expects, anchors and class labels. The facts were
 * read from @vladmandic/human 3.3.6 (src/face/blazeface.ts, facemesh.ts, facemeshutil.ts,
 * src/gear/emotion.ts, src/tfjs/constants.ts) and checked against the graphs themselves.
 */
import { join } from 'node:path';
import { findModel, loadManifest, MANIFEST_PATH, modelFilePath, MODELS_DIR, type TensorSpec } from './manifest.ts';

export const FACE_DETECTOR_MODEL = 'face-detector';
export const FACE_MESH_MODEL = 'face-mesh';
export const FACE_EXPRESSION_MODEL = 'face-expression';
export type FaceModelName = typeof FACE_DETECTOR_MODEL | typeof FACE_MESH_MODEL | typeof FACE_EXPRESSION_MODEL;

/** Emotion classes in the order of the expression model's 7 outputs (oarriaga/FER2013 order). */
export const EXPRESSION_CLASSES = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type ExpressionClass = (typeof EXPRESSION_CLASSES)[number];

/** Path of a face model's .onnx file (generated; see ensureFaceModels). */
export function faceModelPath(name: FaceModelName, modelsDir: string = MODELS_DIR): string {
  return join(modelsDir, name, 'model.onnx');
}

// --- preprocessing and decoding facts for the edge agent -----------------------------------

/** BlazeFace input side and anchor layout (human: generateAnchors(256)). */
export const BLAZEFACE_INPUT_SIZE = 256;
export const BLAZEFACE_STRIDES = [16, 32] as const;
export const BLAZEFACE_ANCHORS_PER_CELL = [2, 6] as const;
export const BLAZEFACE_NUM_ANCHORS = 896;
/** Keypoints per BlazeFace box, in human's naming: leftEye, rightEye, nose, mouth, leftEar, rightEar. */
export const BLAZEFACE_KEYPOINTS = 6;
export const FACE_MESH_INPUT_SIZE = 192;
export const FACE_MESH_LANDMARKS = 468;
export const FACE_EXPRESSION_INPUT_SIZE = 64;
/** RGB weights human uses to make the expression model's grayscale input. */
export const EXPRESSION_GRAY_WEIGHTS = [0.2989, 0.587, 0.114] as const;

/**
 * BlazeFace anchor centres in input pixels, in the order of the concatenated outputs
 * [scores_stride16 (512), scores_stride32 (384)]: per stride, rows then columns then anchors,
 * centre = stride * (cell + 0.5). Identical to human's generateAnchors(256).
 */
export function blazeFaceAnchors(inputSize: number = BLAZEFACE_INPUT_SIZE): Float32Array {
  const out: number[] = [];
  BLAZEFACE_STRIDES.forEach((stride, s) => {
    const grid = Math.floor((inputSize + stride - 1) / stride);
    for (let y = 0; y < grid; y++) {
      for (let x = 0; x < grid; x++) {
        for (let n = 0; n < BLAZEFACE_ANCHORS_PER_CELL[s]!; n++) out.push(stride * (x + 0.5), stride * (y + 0.5));
      }
    }
  });
  return Float32Array.from(out);
}

/**
 * The expression model's input from a float RGB crop in 0..1: resizeBilinear (TF.js semantics) to
 * out x out, grayscale by EXPRESSION_GRAY_WEIGHTS, then (g - 0.5) * 2 (range -1..1), as the
 * FER2013 network expects (human: the 192x192 mesh crop in, 64x64 out). The agent feeds the model
 * with it and the golden tests compare the model on it.
 */
export function expressionInput(
  crop: Float32Array,
  cropSize: number,
  outSize: number = FACE_EXPRESSION_INPUT_SIZE,
  out = new Float32Array(outSize * outSize),
): Float32Array {
  const s = cropSize / outSize;
  for (let y = 0; y < outSize; y++) {
    const inY = y * s;
    const y0 = Math.floor(inY);
    const y1 = Math.min(y0 + 1, cropSize - 1);
    const dy = inY - y0;
    for (let x = 0; x < outSize; x++) {
      const inX = x * s;
      const x0 = Math.floor(inX);
      const x1 = Math.min(x0 + 1, cropSize - 1);
      const dx = inX - x0;
      let g = 0;
      for (let c = 0; c < 3; c++) {
        const tl = crop[(y0 * cropSize + x0) * 3 + c]!;
        const tr = crop[(y0 * cropSize + x1) * 3 + c]!;
        const bl = crop[(y1 * cropSize + x0) * 3 + c]!;
        const br = crop[(y1 * cropSize + x1) * 3 + c]!;
        const t = tl + (tr - tl) * dx;
        const b = bl + (br - bl) * dx;
        g += (t + (b - t) * dy) * EXPRESSION_GRAY_WEIGHTS[c]!;
      }
      out[y * outSize + x] = (g - 0.5) * 2;
    }
  }
  return out;
}

/** Human-readable preprocessing and decoding facts (also in each model card). */
export const FACE_MODEL_NOTES: Record<FaceModelName, { preprocessing: string; decoding: string }> = {
  [FACE_DETECTOR_MODEL]: {
    preprocessing:
      'Whole frame, optionally zero-padded to a square (human pads centred), bilinear-resized to 256x256, RGB channel order, NHWC float32 [1,256,256,3], value = pixel/127.5 - 1 (range [-1,1]).',
    decoding:
      'Concatenate stride16 (512 anchors: 16x16 grid x 2) then stride32 (384 anchors: 8x8 grid x 6) -> 896 rows. score = sigmoid(logit). boxes row: [dx, dy, w, h, kp0x, kp0y, ... kp5x, kp5y] in 256-input pixels; centre = anchor + (dx, dy); box = centre -/+ (w, h)/2; keypoint k = anchor + (kpkx, kpky). Then NMS (human: IoU 0.1, min score 0.2), scale back to the frame, enlarge 1.4x and squarify for the mesh crop.',
  },
  [FACE_MESH_MODEL]: {
    preprocessing:
      'Square face crop (BlazeFace box enlarged 1.4x and squarified), bilinear crop-and-resize to 192x192, RGB, NHWC float32 [N,192,192,3], value = pixel/255 (range [0,1]).',
    decoding:
      'landmarks [N,1404] = 468 x (x, y, z); x and y are pixels of the 192x192 crop (map back: frame = box.start + x * box.size/192), z is relative depth in the same scale. confidence [N,1] is already a sigmoid probability that the crop holds a face (human drops faces below 0.2). contours [N,266] = 133 x (x, y), unused by human.',
  },
  [FACE_EXPRESSION_MODEL]: {
    preprocessing:
      'Face crop (human uses the 192x192 mesh crop in [0,1]), bilinear-resized to 64x64, grayscale g = 0.2989 R + 0.5870 G + 0.1140 B on [0,1] values, then (g - 0.5) * 2 (range [-1,1]); NHWC float32 [N,64,64,1].',
    decoding: `probabilities [N,7] are softmax outputs (sum 1) in the order ${EXPRESSION_CLASSES.join(', ')}.`,
  },
};

export interface FaceModelSpec {
  name: FaceModelName;
  version: string;
  /** Absolute path of the .onnx file. */
  path: string;
  /** Expected sha256 of the file (verify before loading). */
  sha256: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  labels?: readonly string[];
  preprocessing: string;
  decoding: string;
}

/** Everything the agent needs to load, verify, feed and decode one face model. */
export function faceModelSpec(name: FaceModelName, manifestPath: string = MANIFEST_PATH): FaceModelSpec {
  const entry = findModel(loadManifest(manifestPath), name);
  return {
    name,
    version: entry.version,
    path: modelFilePath(entry, manifestPath),
    sha256: entry.sha256,
    inputs: entry.inputs,
    outputs: entry.outputs,
    ...(entry.labels ? { labels: entry.labels } : {}),
    ...FACE_MODEL_NOTES[name],
  };
}
