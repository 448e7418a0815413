/**
 * The face pipeline as other code uses it (`@attune/edge-agent/face`): the three face models and
 * the per-frame pipeline, the window summary the agent publishes from, and the geometry and
 * lighting helpers the face benchmarks measure with.
 */
export { decodeBlazeFace, faceCropBox, iou, nonMaxSuppression, type Detection } from './blazeface.ts';
export { FaceModels, PROTOCOL_EXPRESSION, type DetectorSettings } from './face-models.ts';
export { choosePatientFace, FacePipeline, type FacePipelineOptions, type StageTimings } from './face-pipeline.ts';
export {
  EXPRESSION_KEYS,
  FACE_QUALITY_FLOOR,
  NEGATIVE_EXPRESSIONS,
  summariseFaceWindow,
  USABLE,
  wellLit,
  type ExpressionKey,
  type ExpressionProbabilities,
  type FaceObservation,
  type FrameAnalysis,
  type PatientFace,
} from './face-window.ts';
export { lumaStats, meanLuma, type Box } from './image-ops.ts';
export { headPose, interOcular, type HeadPose, type Landmarks, type Point3 } from './landmarks.ts';
export { NeutralFaceBaseline, type NeutralFace } from './neutral-baseline.ts';
/** The onnxruntime the face models run on (benchmarks report its version). */
export { ModelIntegrityError, ort } from './onnx-model.ts';
