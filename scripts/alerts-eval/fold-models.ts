/**
 * The model each subject is scored by: for a subject the committed model was trained on, a model
 * trained by the same procedure on the other subjects (leave-subject-out, so no subject is scored by
 * a model that saw it); for any other subject, the committed ONNX model, hash-checked, as the agent
 * loads it.
 */
import { loadWearableWeights } from '@attune/models';
import type { DistressPredictor } from '@attune/edge-agent/score-recording';
import { type Dataset, DEFAULT_TRAIN_OPTIONS, trainModel } from '@attune/models/training';
import { WearableDistressModel } from '@attune/edge-agent/inference';

export interface SubjectModel {
  scoredBy: 'leave-subject-out' | 'committed model';
  predictor: DistressPredictor;
  /** Weights in feature order (fusion names drivers by them). */
  weights: number[];
  release(): Promise<void>;
}

/** sigmoid(w.z + b) in float32 weights, as the ONNX graph computes it. */
export function logisticPredictor(model: { weights: readonly number[]; bias: number }, zClip: number): DistressPredictor {
  return {
    zClip,
    predict: async (z) => {
      let logit = Math.fround(model.bias);
      model.weights.forEach((w, i) => (logit += Math.fround(w) * Math.fround(z[i]!)));
      return 1 / (1 + Math.exp(-logit));
    },
  };
}

export async function modelsForSubjects(
  subjects: readonly string[],
  training: Dataset | null,
  log: (m: string) => void,
): Promise<Map<string, SubjectModel>> {
  const out = new Map<string, SubjectModel>();
  const trainedHere = new Set(training?.subjects.map((s) => s.subject) ?? []);
  for (const subject of subjects.filter((s) => trainedHere.has(s))) {
    const started = performance.now();
    const model = trainModel(
      training!.subjects.filter((s) => s.subject !== subject),
      DEFAULT_TRAIN_OPTIONS,
    );
    log(`fold without ${subject}: trained in ${Math.round(performance.now() - started)} ms`);
    out.set(subject, {
      scoredBy: 'leave-subject-out',
      predictor: logisticPredictor(model, DEFAULT_TRAIN_OPTIONS.zClip),
      weights: model.weights,
      release: async () => {},
    });
  }
  const others = subjects.filter((s) => !trainedHere.has(s));
  if (others.length > 0) {
    const committed = await WearableDistressModel.load();
    const weights = loadWearableWeights().weights.map((w) => w.weight);
    let released = false;
    const release = async () => {
      if (!released) await committed.release();
      released = true;
    };
    for (const subject of others) out.set(subject, { scoredBy: 'committed model', predictor: committed, weights, release });
  }
  return out;
}
