/**
 * The window features live in @attune/models (models/src/wearable/window-features.ts) so the
 * trained wearable model and the agent compute exactly the same features. This module only
 * re-exports them for code that still imports the old path.
 */
export {
  IBI_MAX_S,
  IBI_MAX_SUCCESSIVE_CHANGE,
  IBI_MIN_S,
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
} from '@attune/models';
