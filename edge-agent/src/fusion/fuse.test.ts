import { ScoreWindowSchema } from '@attune/protocol';
import { loadWearableWeights } from '@attune/models';
import { describe, expect, it } from 'vitest';
import type { WindowFeatures } from '@attune/models';
import type { FaceObservation } from '../face/face-window.ts';
import { fuse, type WearableObservation } from './fuse.ts';
import { SignPersistence } from './sign-persistence.ts';

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
    v: 2,
    deviceId: 'bed-01-agent',
    seq: 0,
    windowStart: '2026-01-01T00:00:00.000Z',
    windowEnd: '2026-01-01T00:00:05.000Z',
    consentVersion: 1,
    models: {},
    ...out,
  });

describe('fusion (wearable only)', () => {
  it('names the drivers as codes with values and baselines, largest contribution first, and reports no face', () => {
    const out = fuse({ wearableConsented: true, cameraConsented: false, wearable: observation(), weights });
    expect(out.fused.distress).toBeCloseTo(0.97);
    expect(out.fused.drivers[0]).toEqual({ code: 'heart_rate_high', value: 96, unit: 'bpm', baseline: 72 });
    expect(out.fused.drivers).toContainEqual({ code: 'skin_conductance_responses', value: 7, unit: 'per_min', baseline: 1.5 });
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
    expect(offWrist.fused.drivers).toEqual([{ code: 'wristband_off' }]);
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

describe('fusion with the face', () => {
  const faceObs = (over: Partial<FaceObservation> = {}, block: Partial<FaceObservation['block']> = {}): FaceObservation => ({
    block: {
      framesAnalysed: 10,
      faceVisibleFraction: 1,
      negativeAffect: 0.7,
      expression: { neutral: 0.2, happy: 0.05, sad: 0.4, angry: 0.2, fearful: 0.1, disgusted: 0, surprised: 0.05 },
      pspi: 6.2,
      painadFace: 2,
      painadFaceBasis: { code: 'grimacing', fraction: 0.7, pspi: 6.2 },
      actionUnits: {
        au4BrowLowering: 2.5,
        au6au7OrbitalTightening: 2.1,
        au9au10NoseWrinkleLipRaise: 1.2,
        au43EyeClosure: 0,
        au20au25au27MouthStretchOpen: 0.4,
      },
      ...block,
    },
    framesAnalysed: 10,
    framesWithFace: 10,
    framesUsable: 10,
    baselineReady: true,
    fractions: { browAndEyes: 0.7, browLowered: 0.8, grimace: 0.7, mouthOpen: 0.1, eyesClosed: 0, negativeTop: 0.6 },
    motion: 0.02,
    meanLuma: 120,
    quality: 0.85,
    qualityNotes: [],
    ...over,
  });

  it('adds the face block, combines evidence and names face drivers with durations', () => {
    const persistence = new SignPersistence();
    const base = { wearableConsented: true, cameraConsented: true, wearable: observation(), weights, persistence };
    fuse({ ...base, face: faceObs(), windowStartMs: 0, windowEndMs: 5000 });
    const out = fuse({ ...base, face: faceObs(), windowStartMs: 5000, windowEndMs: 10_000 });
    expect(out.face?.pspi).toBe(6.2);
    expect(out.quality.faceCoverage).toBe(1);
    expect(out.quality.unobserved).not.toContain('face');
    expect(out.fused.drivers).toContainEqual({ code: 'brow_lowered_eyes_tightened', value: 0.7, unit: 'fraction', durationS: 10 });
    expect(out.fused.drivers).toContainEqual({ code: 'grimace', value: 0.7, unit: 'fraction', durationS: 10 });
    expect(out.fused.drivers).toContainEqual({ code: 'heart_rate_high', value: 96, unit: 'bpm', baseline: 72, durationS: 10 });
    expect(out.fused.confidence).toBeGreaterThan(fuse({ ...base, face: null }).fused.confidence);
    expect(() => asWindow(out)).not.toThrow();
  });

  it('confidence falls when the face is not seen or poorly seen; the face block is then absent, not zero-filled', () => {
    const both = fuse({ wearableConsented: true, cameraConsented: true, wearable: observation(), weights, face: faceObs() }).fused
      .confidence;
    const unseen = fuse({
      wearableConsented: true,
      cameraConsented: true,
      wearable: observation(),
      weights,
      face: faceObs({ framesWithFace: 0, framesUsable: 0, quality: 0 }, { faceVisibleFraction: 0 }),
    });
    expect(unseen.face).toBeUndefined();
    expect(unseen.fused.confidence).toBeLessThan(both);
    expect(unseen.quality.faceCoverage).toBe(0);
    expect(unseen.quality.unobserved).toEqual(expect.arrayContaining(['face', 'expression', 'pain_face']));
    const faceOnlyPoor = fuse({
      wearableConsented: false,
      cameraConsented: true,
      wearable: null,
      weights,
      face: faceObs({ quality: 0.2, qualityNotes: [{ code: 'face_turned_away', value: 0.8, unit: 'fraction' }] }),
    });
    expect(faceOnlyPoor.fused.confidence).toBeCloseTo(0.2);
    expect(faceOnlyPoor.fused.drivers).toContainEqual({ code: 'face_turned_away', value: 0.8, unit: 'fraction' });
    expect(faceOnlyPoor.fused.distress).toBeGreaterThan(0.7);
  });

  it('camera consented but the face was measured before a baseline: PSPI null and baseline listed as unobserved', () => {
    const out = fuse({
      wearableConsented: false,
      cameraConsented: true,
      wearable: null,
      weights,
      face: faceObs({ baselineReady: false }, { pspi: null }),
    });
    expect(out.quality.unobserved).toEqual(expect.arrayContaining(['pain_face', 'baseline']));
    expect(() => asWindow(out)).not.toThrow();
  });
});
