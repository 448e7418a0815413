/**
 * The personal-baseline normaliser lives in @attune/models (models/src/wearable/baseline-normaliser.ts)
 * so the trained wearable model and the agent normalise exactly alike. This module only re-exports
 * it for code that still imports the old path.
 */
export {
  BASELINE_FEATURES,
  BaselineNormaliser,
  CALM_DISTRESS_MAX,
  CALM_REFRESH_WEIGHT,
  MIN_BASELINE_COVERAGE,
  POPULATION_NORMS,
  SD_FLOOR,
  type BaselineFeature,
  type ZScores,
} from '@attune/models';
