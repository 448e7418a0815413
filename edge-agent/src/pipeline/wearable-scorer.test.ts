import { join } from 'node:path';
import {
  e4ToOffsetSamples,
  modelInputRow,
  normaliseWindows,
  readE4Recording,
  RecordedSamples,
  recordingWindowFeatures,
} from '@attune/models';
import { describe, expect, it } from 'vitest';
import { RECORDINGS_DIR } from '../recordings/generate-recordings.ts';
import { offsetToClock } from '@attune/models';
import { WearableScorer, type DistressPredictor } from './wearable-scorer.ts';

/** A fixed stand-in model, so the comparison does not depend on the trained weights. */
const predict = (z: readonly number[]) => 1 / (1 + Math.exp(-(0.5 * z[0]! + 0.3 * z[2]! + 0.4 * z[3]! - 2.5)));
const stub: DistressPredictor = { zClip: 6, predict: async (z) => predict(z) };

describe('the agent and model training see the same features', () => {
  it('WearableScorer windows equal the training pipeline windows (features, z-scores, model rows, outputs)', async () => {
    const samples = e4ToOffsetSamples(readE4Recording(join(RECORDINGS_DIR, 'bed-02')));
    const training = normaliseWindows(recordingWindowFeatures(samples, 5000), { baselineWindows: 12, zClip: 6, predict });

    const recording = new RecordedSamples(samples);
    const scorer = new WearableScorer(stub, 12);
    const agent = [];
    for (let startS = 0; startS + 5 <= recording.durationS; startS += 5) {
      scorer.add(recording.samplesBetween(startS - 1e-9, startS + 5 - 1e-9).map((s) => offsetToClock(s, 0)));
      agent.push(await scorer.score(startS * 1000, (startS + 5) * 1000));
    }
    expect(agent).toHaveLength(training.length);
    agent.forEach((obs, i) => {
      expect(obs).not.toBeNull();
      expect(obs!.features).toEqual(training[i]!.features);
      expect(modelInputRow(obs!.z)).toEqual(training[i]!.row);
      expect(obs!.distress).toBe(training[i]!.distress);
    });
  });
});

describe('a new patient', () => {
  it("starts without the previous patient's baseline or samples", async () => {
    const samples = e4ToOffsetSamples(readE4Recording(join(RECORDINGS_DIR, 'bed-01')));
    const recording = new RecordedSamples(samples);
    const scorer = new WearableScorer(stub, 12);
    for (let startS = 0; startS < 90; startS += 5) {
      scorer.add(recording.samplesBetween(startS - 1e-9, startS + 5 - 1e-9).map((s) => offsetToClock(s, 0)));
      await scorer.score(startS * 1000, (startS + 5) * 1000);
    }
    expect(scorer.isBaselineReady()).toBe(true);
    const before = await scorer.score(85_000, 90_000);
    expect(before?.baseline.hrBpm).not.toBeNull();

    scorer.resetPatient();
    expect(scorer.isBaselineReady()).toBe(false);
    expect(scorer.bufferedCount()).toBe(0);
    scorer.add(recording.samplesBetween(90 - 1e-9, 95 - 1e-9).map((s) => offsetToClock(s, 0)));
    const after = await scorer.score(90_000, 95_000);
    expect(after?.baselineReady).toBe(false);
    expect(Object.values(after!.baseline).every((v) => v === null)).toBe(true);
  });
});
