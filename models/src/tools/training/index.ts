/**
 * @attune/models/training: training and evaluating the wearable distress model on Stress-Predict
 * (`npm run models:train`, `npm run models:eval`), and the metrics the alert evaluation reuses.
 * Offline only.
 */
export {
  applyPlatt,
  baseRateBrier,
  brierScore,
  expectedCalibrationError,
  fitPlatt,
  logitOf,
  reliabilityBins,
  type PlattCalibration,
  type ReliabilityBin,
} from './calibration.ts';
export { argOption, DATA_ENV, DataDirError, dataDirForCommand, resolveDataDir } from './data-dir.ts';
export { listSubjects, loadDataset, loadSubject, parseLabelsCsv, windowLabel, type Dataset, type SubjectWindows } from './dataset.ts';
export { auc, balancedAccuracy, confusion, summarise, type Confusion, type Summary } from './metrics.ts';
export { DEFAULT_TRAIN_OPTIONS, leaveOneSubjectOut, trainModel, type TrainedModel, type TrainOptions } from './train-model.ts';
