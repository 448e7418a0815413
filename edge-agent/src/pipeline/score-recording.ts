/**
 * Scores a recording offline, window by window, through the same pipeline the live agent uses
 * (features -> baseline -> model -> fusion). Used to check the demo recordings and real E4 data,
 * and by the alert evaluation harness (`npm run alerts:eval`), which replays real recordings through
 * this code and the server's alert rule.
 */
import type { Driver } from '@attune/protocol';
import { loadWearableWeights, offsetToClock, RecordedSamples, type OffsetSample } from '@attune/models';
import { fuse, type FusionOutput } from '../fusion/fuse.ts';
import { WearableScorer, type DistressPredictor } from './wearable-scorer.ts';

export type { DistressPredictor };
export { scoreWindowMessage, type ScoreWindowHeader } from './score-window-message.ts';

export interface OfflineWindowScore {
  startS: number;
  endS: number;
  distress: number;
  confidence: number;
  drivers: Driver[];
  hrBpm: number | null;
  rmssdMs: number | null;
  scrPerMin: number | null;
  onWrist: boolean | null;
  /** The whole fusion output of the window, as the agent would publish it. */
  fusion: FusionOutput;
}

export interface ScoreRecordingOptions {
  windowMs: number;
  baselineWindows: number;
  /** Model weights in feature order, to name drivers; the committed weights.json when left out. */
  weights?: readonly number[];
  /** Called after each window (progress). */
  onWindow?: (done: number, total: number) => void;
}

export async function scoreRecording(
  model: DistressPredictor,
  samples: OffsetSample[],
  options: ScoreRecordingOptions,
): Promise<OfflineWindowScore[]> {
  const recording = new RecordedSamples(samples);
  const scorer = new WearableScorer(model, options.baselineWindows);
  const weights = options.weights ?? loadWearableWeights().weights.map((w) => w.weight);
  const out: OfflineWindowScore[] = [];
  const stepS = options.windowMs / 1000;
  const total = Math.floor(recording.durationS / stepS);
  for (let startS = 0; startS + stepS <= recording.durationS; startS += stepS) {
    // Feed the samples of (startS, startS + step] then close the window [startS, startS + step).
    scorer.add(recording.samplesBetween(startS - 1e-9, startS + stepS - 1e-9).map((s) => offsetToClock(s, 0)));
    const obs = await scorer.score(startS * 1000, (startS + stepS) * 1000);
    const fused = fuse({ wearableConsented: true, cameraConsented: false, wearable: obs, weights });
    out.push({
      startS,
      endS: startS + stepS,
      distress: fused.fused.distress,
      confidence: fused.fused.confidence,
      drivers: fused.fused.drivers,
      hrBpm: fused.wearable?.hrBpm ?? null,
      rmssdMs: fused.wearable?.rmssdMs ?? null,
      scrPerMin: fused.wearable?.scrPerMin ?? null,
      onWrist: fused.wearable?.onWrist ?? null,
      fusion: fused,
    });
    options.onWindow?.(out.length, total);
  }
  return out;
}
