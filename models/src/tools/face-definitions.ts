/**
 * Where each face model comes from and how its TF.js graph maps to the ONNX interface (TF node ->
 * ONNX tensor names): what the build converts. Build time only; the runtime facts the agent needs
 * (names, sizes, anchors, labels) are in ../runtime/face-models.ts.
 */
import type { ConvertIo } from './convert/tfjs-to-onnx.ts';
import {
  EXPRESSION_CLASSES,
  FACE_DETECTOR_MODEL,
  FACE_EXPRESSION_MODEL,
  FACE_MESH_MODEL,
  type FaceModelName,
} from '../runtime/face-models.ts';

export interface FaceModelSource {
  /** npm package the TF.js graph model comes from. */
  package: '@vladmandic/human';
  /** model.json file inside the package's models/ folder. */
  modelJson: string;
  /** Where the weights originally come from. */
  upstream: string;
  /** Licence of the files we convert, as the package states it. */
  licence: string;
}

export interface FaceModelDefinition {
  name: FaceModelName;
  version: string;
  description: string;
  source: FaceModelSource;
  /** TF node -> ONNX tensor name. */
  inputs: ConvertIo[];
  outputs: ConvertIo[];
  modelCard: string;
  /** Class labels of the (single) output, where it is a classifier. */
  labels?: readonly string[];
}

/** A MediaPipe model as @vladmandic/human redistributes it (converted to TF.js by its author). */
function mediaPipeSource(modelJson: string, upstreamName: string): FaceModelSource {
  return {
    package: '@vladmandic/human',
    modelJson,
    upstream: `https://github.com/google/mediapipe (${upstreamName}), converted to TF.js by https://github.com/vladmandic`,
    licence: 'MIT (as distributed in @vladmandic/human); MediaPipe models are Apache-2.0 upstream',
  };
}

export const FACE_MODEL_DEFINITIONS: readonly FaceModelDefinition[] = [
  {
    name: FACE_DETECTOR_MODEL,
    version: '1.0.0',
    description:
      "MediaPipe BlazeFace, back-camera variant (human's default detector): 256x256 RGB in [-1,1], 896 anchors: 512 at stride 16 then 384 at stride 32.",
    source: mediaPipeSource('blazeface.json', 'BlazeFace'),
    inputs: [{ tfName: 'input', name: 'image' }],
    outputs: [
      { tfName: 'Identity', name: 'scores_stride16' },
      { tfName: 'Identity_2', name: 'boxes_stride16' },
      { tfName: 'Identity_1', name: 'scores_stride32' },
      { tfName: 'Identity_3', name: 'boxes_stride32' },
    ],
    modelCard: 'face-detector/MODEL_CARD.md',
  },
  {
    name: FACE_MESH_MODEL,
    version: '1.0.0',
    description:
      'MediaPipe FaceMesh: 192x192 RGB face crop in [0,1] -> 468 3-D landmarks (crop pixels), face confidence, 133 contour points.',
    source: mediaPipeSource('facemesh.json', 'FaceMesh'),
    inputs: [{ tfName: 'input_1', name: 'image' }],
    outputs: [
      { tfName: 'Identity_2', name: 'landmarks' },
      { tfName: 'Identity_1', name: 'confidence' },
      { tfName: 'Identity', name: 'contours' },
    ],
    modelCard: 'face-mesh/MODEL_CARD.md',
  },
  {
    name: FACE_EXPRESSION_MODEL,
    version: '1.0.0',
    description:
      'Facial expression classifier (oarriaga/face_classification mini-Xception, FER2013): 64x64 grayscale in [-1,1] -> 7 class probabilities.',
    source: {
      package: '@vladmandic/human',
      modelJson: 'emotion.json',
      upstream: 'https://github.com/oarriaga/face_classification (MIT), converted to TF.js by https://github.com/vladmandic',
      licence: 'MIT',
    },
    inputs: [{ tfName: 'input_1', name: 'image' }],
    outputs: [{ tfName: 'Identity', name: 'probabilities' }],
    modelCard: 'face-expression/MODEL_CARD.md',
    labels: EXPRESSION_CLASSES,
  },
];

export function faceModelDefinition(name: FaceModelName): FaceModelDefinition {
  const def = FACE_MODEL_DEFINITIONS.find((d) => d.name === name);
  if (!def) throw new Error(`unknown face model ${name}`);
  return def;
}
