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

/** Name of the wearable model in the manifest. */
export const WEARABLE_DISTRESS_MODEL = 'wearable-distress';
