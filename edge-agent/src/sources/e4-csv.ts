/**
 * The Empatica E4 CSV reader lives in @attune/models (models/src/wearable/e4-csv.ts): model training
 * reads the Stress-Predict recordings with the same code the agent replays demo recordings with.
 * This module only re-exports it for code that still imports the old path.
 */
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
} from '@attune/models';
