/**
 * @attune/models: what the edge agent runs with. The manifest and its integrity check, the wearable
 * feature pipeline (the code the model was trained with), and the face models' runtime facts. The
 * offline tools (converter, build, training) are @attune/models/tools and @attune/models/training;
 * nothing here imports them.
 */
export {
  MANIFEST_PATH,
  MODELS_DIR,
  findModel,
  loadManifest,
  modelFilePath,
  sha256Hex,
  type ModelManifest,
  type ModelManifestEntry,
  type TensorSpec,
} from './manifest.ts';
export {
  WEARABLE_FEATURE_ORDER,
  WEARABLE_WEIGHTS_PATH,
  loadWearableWeights,
  wearableDistressReference,
  type WearableDistressWeights,
  type WearableFeatureName,
} from './wearable-distress.ts';
export {
  ModelIntegrityError,
  agentSessionOptions,
  openVerifiedSession,
  type VerifiedSession,
  type VerifiedSessionOptions,
} from './onnx-session.ts';

/** Name of the wearable model in the manifest. */
export const WEARABLE_DISTRESS_MODEL = 'wearable-distress';

// Wearable feature pipeline shared by the edge agent and model training (runtime/wearable).
export type { OffsetSample, OffsetSampleGenerator, WearableSample } from './wearable/samples.ts';
export { offsetToClock } from './wearable/samples.ts';
export {
  IBI_MAX_S,
  IBI_MAX_SUCCESSIVE_CHANGE,
  IBI_MIN_S,
  EDA_FLAT_RANGE_US,
  ON_WRIST_MIN_EDA_US,
  ON_WRIST_MIN_TEMP_C,
  SCR_MIN_AMPLITUDE_US,
  TRAILING_CONTEXT_MS,
  WindowFeatureExtractor,
  countScrs,
  filterIbis,
  hrvMs,
  type IbiFilterResult,
  type WindowFeatures,
} from './wearable/window-features.ts';
export {
  BASELINE_FEATURES,
  BaselineNormaliser,
  CALM_MAX_ACTIVITY_Z,
  CALM_MAX_AROUSAL_Z,
  CALM_REFRESH_WEIGHT,
  MATURE_BASELINE_WINDOWS,
  MIN_BASELINE_COVERAGE,
  POPULATION_NORMS,
  SD_FLOOR,
  type BaselineFeature,
  type ZScores,
} from './wearable/baseline-normaliser.ts';
export {
  E4_ACC_UNITS_PER_G,
  RecordedSamples,
  e4DurationS,
  e4ToOffsetSamples,
  parseE4Ibi,
  parseE4Signal,
  readE4Recording,
  recordedE4,
  type E4Recording,
  type E4Signal,
} from './wearable/e4-csv.ts';
export {
  BaselineStepper,
  DEFAULT_BASELINE_WINDOWS,
  DEFAULT_WINDOW_MS,
  isScorable,
  modelInputRow,
  normaliseWindows,
  normaliseWindowsAsync,
  recordingWindowFeatures,
  type NormalisedWindow,
} from './wearable/pipeline.ts';

// Face models (BlazeFace, FaceMesh, FER2013 expression), converted from @vladmandic/human's TF.js
// graph models by our converter. The .onnx files are generated (npm install / npm start /
// npm run models:build; `ensureFaceModels` in @attune/models/tools builds missing ones).
// Runtime-only: importing these pulls in neither the converter nor onnx-proto.
export * from './face-models.ts';
