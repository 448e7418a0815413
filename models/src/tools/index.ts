/**
 * @attune/models/tools: the offline model tools. Build (`npm run models:build`), the face models'
 * definitions and conversion, the TF.js -> ONNX converter, and the drawn test face used by the
 * golden comparisons and the face benchmarks. Never imported by the agent at run time.
 */
export { buildAll, buildFaceModels, buildWearableDistress, buildWearableDistressBytes, writeBuild, type BuildResult } from './build.ts';
export { ensureFaceModels, type EnsureFaceModelsResult } from './ensure-face-models.ts';
export { convertFaceModel, humanModelsDir, humanPackageVersion, loadTfjsModel, type ConvertedFaceModel } from './face-convert.ts';
export { FACE_MODEL_DEFINITIONS, faceModelDefinition, type FaceModelDefinition, type FaceModelSource } from './face-definitions.ts';
export { buildLogisticOnnx, type LogisticGraphSpec } from './onnx-logistic.ts';
export {
  CONVERTER_VERSION,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  SUPPORTED_TF_OPS,
  convertTfjsGraphToOnnx,
  type ConvertIo,
  type ConvertOptions,
  type ConvertResult,
  type ConvertedTensorSpec,
} from './convert/tfjs-to-onnx.ts';
export { decodeWeights, halfToFloat, type ConstTensor, type TfModelJson, type TfNode } from './convert/tfjs-graph.ts';
export { cropResizeRgb, resizeBilinearRgb, syntheticFace, type RgbImage, type SyntheticFaceOptions } from './synthetic-face.ts';
