/**
 * Scores a recording offline, window by window, through the same pipeline the live agent uses
 * (features -> baseline -> model -> fusion). Used to check the demo recordings and real E4 data.
 */
import type { Driver } from '@attune/protocol';
import { loadWearableWeights, offsetToClock, RecordedSamples, type OffsetSample } from '@attune/models';
import { fuse } from '../fusion/fuse.ts';
import type { WearableDistressModel } from '../inference/wearable-distress-model.ts';
import { WearableScorer } from './wearable-scorer.ts';

export interface OfflineWindowScore {
  endS: number;
  distress: number;
  confidence: number;
  drivers: Driver[];
  hrBpm: number | null;
  rmssdMs: number | null;
  scrPerMin: number | null;
  onWrist: boolean | null;
}

export async function scoreRecording(
  model: WearableDistressModel,
  samples: OffsetSample[],
  options: { windowMs: number; baselineWindows: number },
): Promise<OfflineWindowScore[]> {
  const recording = new RecordedSamples(samples);
  const scorer = new WearableScorer(model, options.baselineWindows);
  const weights = loadWearableWeights().weights.map((w) => w.weight);
  const out: OfflineWindowScore[] = [];
  const stepS = options.windowMs / 1000;
  for (let startS = 0; startS + stepS <= recording.durationS; startS += stepS) {
    // Feed the samples of (startS, startS + step] then close the window [startS, startS + step).
    scorer.add(recording.samplesBetween(startS - 1e-9, startS + stepS - 1e-9).map((s) => offsetToClock(s, 0)));
    const obs = await scorer.score(startS * 1000, (startS + stepS) * 1000);
    const fused = fuse({ wearableConsented: true, cameraConsented: false, wearable: obs, weights });
    out.push({
      endS: startS + stepS,
      distress: fused.fused.distress,
      confidence: fused.fused.confidence,
      drivers: fused.fused.drivers,
      hrBpm: fused.wearable?.hrBpm ?? null,
      rmssdMs: fused.wearable?.rmssdMs ?? null,
      scrPerMin: fused.wearable?.scrPerMin ?? null,
      onWrist: fused.wearable?.onWrist ?? null,
    });
  }
  return out;
}
