import { ScoreWindowSchema } from '@attune/protocol';
import { loadWearableWeights } from '@attune/models';
import { describe, expect, it } from 'vitest';
import type { WindowFeatures } from '../features/window-features.ts';
import { fuse, type WearableObservation } from './fuse.ts';

const weights = loadWearableWeights().weights.map((w) => w.weight);

function observation(over: Partial<WindowFeatures> = {}, rest: Partial<WearableObservation> = {}): WearableObservation {
  const features: WindowFeatures = {
    windowStartMs: 0,
    windowEndMs: 5000,
    hrBpm: 96,
    sdnnMs: 30,
    rmssdMs: 18,
    sclUs: 6,
    scrPerMin: 7,
    tempC: 33,
    activityG: 0.01,
    coverage: 1,
    onWrist: true,
    sampleCount: 200,
    ibiAccepted: 30,
    ibiRejected: 0,
    ...over,
  };
  return {
    features,
    z: { hrBpm: 6, rmssdMs: -2, sclUs: 2, scrPerMin: 3, tempC: 0, activityG: 0 },
    distress: 0.97,
    baselineReady: true,
    baseline: { hrBpm: 72, rmssdMs: 38, sclUs: 4, scrPerMin: 1.5, tempC: 33.2, activityG: 0.01 },
    ...rest,
  };
}

const asWindow = (out: ReturnType<typeof fuse>) =>
  ScoreWindowSchema.parse({
    v: 1,
    deviceId: 'bed-01-agent',
    seq: 0,
    windowStart: '2026-01-01T00:00:00.000Z',
    windowEnd: '2026-01-01T00:00:05.000Z',
    consentVersion: 1,
    models: {},
    ...out,
  });

describe('fusion (wearable only)', () => {
  it('names the drivers in nurse words, largest contribution first, and reports no face', () => {
    const out = fuse({ wearableConsented: true, cameraConsented: false, wearable: observation(), weights });
    expect(out.fused.distress).toBeCloseTo(0.97);
    expect(out.fused.drivers[0]).toBe('heart rate 24 bpm above baseline (96 vs 72)');
    expect(out.fused.drivers).toContain('skin conductance rising (7 responses/min)');
    expect(out.fused.confidence).toBeGreaterThan(0.8);
    expect(out.quality.unobserved).toEqual(expect.arrayContaining(['face', 'expression', 'pain_face']));
    expect(out.quality.faceCoverage).toBeNull();
    expect(out.wearable?.hrBaselineBpm).toBe(72);
    expect(() => asWindow(out)).not.toThrow();
  });

  it('lowers confidence with poor coverage, off-wrist and no baseline', () => {
    const full = fuse({ wearableConsented: true, cameraConsented: false, wearable: observation(), weights }).fused.confidence;
    const poor = fuse({ wearableConsented: true, cameraConsented: false, wearable: observation({ coverage: 0.3 }), weights }).fused
      .confidence;
    const noBaseline = fuse({
      wearableConsented: true,
      cameraConsented: false,
      wearable: observation({}, { baselineReady: false }),
      weights,
    });
    const offWrist = fuse({
      wearableConsented: true,
      cameraConsented: false,
      wearable: observation({ onWrist: false }, { distress: null }),
      weights,
    });
    expect(poor).toBeLessThan(full * 0.5);
    expect(noBaseline.fused.confidence).toBeLessThan(full);
    expect(noBaseline.quality.unobserved).toContain('baseline');
    expect(offWrist.fused.confidence).toBe(0);
    expect(offWrist.fused.drivers).toEqual(['wristband appears to be off the wrist']);
    expect(offWrist.quality.unobserved).toEqual(expect.arrayContaining(['heart_rate', 'hrv', 'eda', 'temperature']));
  });

  it('never fills in a missing modality', () => {
    const notConsented = fuse({ wearableConsented: false, cameraConsented: false, wearable: observation(), weights });
    expect(notConsented.wearable).toBeUndefined();
    expect(notConsented.fused).toEqual({ distress: 0, confidence: 0, drivers: [] });
    expect(notConsented.quality.wearableCoverage).toBeNull();
    const notSeen = fuse({ wearableConsented: true, cameraConsented: false, wearable: null, weights });
    expect(notSeen.wearable).toBeUndefined();
    expect(notSeen.quality.wearableCoverage).toBe(0);
    expect(notSeen.quality.unobserved).toEqual(expect.arrayContaining(['heart_rate', 'hrv', 'eda', 'temperature', 'activity']));
    expect(() => asWindow(notSeen)).not.toThrow();
  });

  it('reports out-of-range readings as unknown instead of clamping them', () => {
    const out = fuse({ wearableConsented: true, cameraConsented: false, wearable: observation({ tempC: 12 }), weights });
    expect(out.wearable?.tempC).toBeNull();
    expect(out.quality.unobserved).toContain('temperature');
  });
});
