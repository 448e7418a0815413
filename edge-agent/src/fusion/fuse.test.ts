import { ScoreWindowSchema } from '@attune/protocol';
import { loadWearableWeights } from '@attune/models';
import { describe, expect, it } from 'vitest';
import type { WindowFeatures } from '@attune/models';
import { summariseFaceWindow, type FaceObservation } from '../face/face-window.ts';
import { testFrame, testNeutral } from '../../test/test-landmarks.ts';
import { wearableObservation, type WearablePatient } from '../../test/wearable-observations.ts';
import { FACE_MAX_ADD, fuse, type WearableObservation } from './fuse.ts';
import { SignPersistence } from './sign-persistence.ts';

const weights = loadWearableWeights().weights.map((w) => w.weight);

/** A distressed patient: heart rate 96 against a baseline of 72, skin conductance responses up. */
const distressed: WearablePatient = {
  readings: { hrBpm: 96, sdnnMs: 30, rmssdMs: 18, sclUs: 6, scrPerMin: 7, tempC: 33, activityG: 0.01 },
  z: { hrBpm: 6, rmssdMs: -2, sclUs: 2, scrPerMin: 3, tempC: 0, activityG: 0 },
  distress: 0.97,
  baseline: { hrBpm: 72, rmssdMs: 38, sclUs: 4, scrPerMin: 1.5, tempC: 33.2, activityG: 0.01 },
};
const observation = (over: Partial<WindowFeatures> = {}, rest: Partial<WearableObservation> = {}) =>
  wearableObservation(distressed, over, rest);

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
      negativeAffectAboveBaseline: 0.5,
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
    fractions: { browAndEyes: 0.7, browLowered: 0.8, grimace: 0.7, eyesClosed: 0, upset: 0.6 },
    meanExpressionChange: { neutral: -0.5, happy: 0, sad: 0.3, angry: 0.2, fearful: 0, disgusted: 0, surprised: 0 },
    motion: 0.02,
    meanLuma: 120,
    quality: 0.85,
    qualityNotes: [],
    unobservedReason: null,
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
    // Below the quality floor the face sends no numbers and adds nothing: it lowers confidence instead.
    const faceOnlyPoor = fuse({
      wearableConsented: false,
      cameraConsented: true,
      wearable: null,
      weights,
      face: faceObs({
        quality: 0.2,
        qualityNotes: [{ code: 'face_turned_away', value: 0.8, unit: 'fraction' }],
        unobservedReason: 'turned_away',
      }),
    });
    expect(faceOnlyPoor.face).toBeUndefined();
    expect(faceOnlyPoor.fused.confidence).toBe(0);
    expect(faceOnlyPoor.fused.distress).toBe(0);
    expect(faceOnlyPoor.fused.drivers).toEqual([{ code: 'face_turned_away', value: 0.8, unit: 'fraction' }]);
    expect(faceOnlyPoor.quality.unobserved).toEqual(expect.arrayContaining(['face', 'expression', 'pain_face']));
    expect(faceOnlyPoor.quality.unobservedReasons).toEqual({ face: 'turned_away', wearable: 'no_consent' });
    expect(() => asWindow(faceOnlyPoor)).not.toThrow();
    const withWearablePoorFace = fuse({
      wearableConsented: true,
      cameraConsented: true,
      wearable: observation(),
      weights,
      face: faceObs({ quality: 0.3, unobservedReason: 'poor_light' }),
    });
    expect(withWearablePoorFace.fused.distress).toBe(
      fuse({ wearableConsented: true, cameraConsented: false, wearable: observation(), weights }).fused.distress,
    );
    expect(withWearablePoorFace.face).toBeUndefined();
  });

  it('camera consented but the face was measured before a baseline: PSPI null, baseline listed, and the face adds nothing', () => {
    const out = fuse({
      wearableConsented: false,
      cameraConsented: true,
      wearable: null,
      weights,
      face: faceObs(
        { baselineReady: false, quality: 0.54, unobservedReason: 'learning_baseline', meanExpressionChange: null },
        { pspi: null, actionUnits: null, negativeAffectAboveBaseline: null, negativeAffect: 0.9, painadFace: null },
      ),
    });
    expect(out.quality.unobserved).toEqual(expect.arrayContaining(['pain_face', 'expression', 'baseline']));
    expect(out.quality.unobservedReasons?.face).toBe('learning_baseline');
    expect(out.fused).toEqual({ distress: 0, confidence: 0, drivers: [] });
    expect(() => asWindow(out)).not.toThrow();
  });

  it("face pain signs add to the wearable's distress, but a calm wearable plus a grimace stays below an alarm", () => {
    const calmWearable = observation(
      { hrBpm: 72, scrPerMin: 1.5 },
      { distress: 0.2, z: { hrBpm: 0, rmssdMs: 0, sclUs: 0, scrPerMin: 0, tempC: 0, activityG: 0 } },
    );
    const wearableOnly = fuse({ wearableConsented: true, cameraConsented: false, wearable: calmWearable, weights }).fused;
    const grimacing = fuse({ wearableConsented: true, cameraConsented: true, wearable: calmWearable, weights, face: faceObs() }).fused;
    expect(grimacing.distress).toBeGreaterThan(wearableOnly.distress);
    expect(grimacing.distress).toBeLessThanOrEqual(0.2 + 0.8 * FACE_MAX_ADD);
    expect(grimacing.distress).toBeLessThan(0.5);
    // A neutral face takes nothing away from a distressed wearable.
    const relaxedFace = faceObs(
      { fractions: { browAndEyes: 0, browLowered: 0, grimace: 0, eyesClosed: 0, upset: 0 } },
      { pspi: 0, negativeAffectAboveBaseline: 0, painadFace: 0, painadFaceBasis: { code: 'relaxed', frames: 10 } },
    );
    const distressed = fuse({ wearableConsented: true, cameraConsented: true, wearable: observation(), weights, face: relaxedFace }).fused;
    expect(distressed.distress).toBeCloseTo(0.97, 2);
  });
});

describe("the face counts against the patient's own neutral face", () => {
  // "sad 0.73" from a slightly smiling face: with the classifier's absolute output this fused to
  // 0.707, enough for an alert (reproduced on the previous fusion before it was changed).
  const smilingSad = { neutral: 0.1, happy: 0.12, sad: 0.73, surprised: 0.05 };

  it('a slightly smiling face read as "sad 0.73" is not distress when this patient\'s resting face reads sad too', () => {
    const neutral = testNeutral({}, { neutral: 0.25, sad: 0.7, happy: 0.05 });
    const face = summariseFaceWindow(
      Array.from({ length: 10 }, () => testFrame({ mouthHalf: 0.74 }, { neutral, expression: smilingSad })),
      true,
    );
    const out = fuse({ wearableConsented: false, cameraConsented: true, wearable: null, weights, face });
    expect(out.face?.negativeAffect).toBeCloseTo(0.73);
    expect(out.fused.distress).toBeLessThan(0.1);
    expect(out.fused.drivers).toEqual([]);
    expect(out.face?.painadFace).toBe(0);
    expect(() => asWindow(out)).not.toThrow();
  });

  it('the same face with no neutral baseline contributes nothing, and says why', () => {
    const face = summariseFaceWindow(
      Array.from({ length: 10 }, () => testFrame({ mouthHalf: 0.74 }, { expression: smilingSad })),
      false,
    );
    const out = fuse({ wearableConsented: false, cameraConsented: true, wearable: null, weights, face });
    expect(out.fused).toEqual({ distress: 0, confidence: 0, drivers: [] });
    expect(out.face?.pspi).toBeNull();
    expect(out.quality.unobservedReasons).toEqual({ face: 'learning_baseline', wearable: 'no_consent' });
  });

  it('a real rise of negative affect above the neutral face does count, and names the expression that rose', () => {
    const neutral = testNeutral({}, { neutral: 0.8, sad: 0.2 });
    const face = summariseFaceWindow(
      Array.from({ length: 10 }, () => testFrame({}, { neutral, expression: { neutral: 0.1, sad: 0.3, fearful: 0.6 } })),
      true,
    );
    const out = fuse({ wearableConsented: false, cameraConsented: true, wearable: null, weights, face });
    expect(out.fused.distress).toBeGreaterThan(0.6);
    expect(out.fused.drivers[0]).toEqual({ code: 'looks_frightened', value: 1, unit: 'fraction' });
  });

  it('a yawn (mouth wide open) gives no grimace driver and no distress', () => {
    const neutral = testNeutral();
    const face = summariseFaceWindow(
      Array.from({ length: 10 }, () => testFrame({ mouthGap: 1.2, mouthHalf: 0.9 }, { neutral })),
      true,
    );
    const out = fuse({ wearableConsented: false, cameraConsented: true, wearable: null, weights, face });
    expect(out.face?.pspi).toBe(0);
    expect(out.fused.drivers.map((d) => d.code)).not.toContain('grimace');
    expect(out.fused.drivers.map((d) => d.code)).not.toContain('mouth_stretched_open');
    expect(out.fused.distress).toBe(0);
  });
});

describe('what was not observed, and why (quality.unobservedReasons)', () => {
  const seenFace = () =>
    summariseFaceWindow(
      Array.from({ length: 10 }, () => testFrame({}, { neutral: testNeutral() })),
      true,
    );

  it('camera consented but no camera attached (not_configured) is not "not consented"', () => {
    const out = fuse({
      wearableConsented: true,
      cameraConsented: true,
      wearable: observation(),
      weights,
      face: null,
      cameraSource: 'not_configured',
      wearableSource: 'streaming',
    });
    expect(out.quality.unobservedReasons).toEqual({ face: 'not_configured' });
    expect(out.quality.faceCoverage).toBe(0);
    expect(() => asWindow(out)).not.toThrow();
  });

  it('names each face reason: no consent, source error, no frames, face not found, poor light', () => {
    const reason = (input: Partial<Parameters<typeof fuse>[0]>) =>
      fuse({ wearableConsented: true, cameraConsented: true, wearable: observation(), weights, ...input }).quality.unobservedReasons?.face;
    expect(reason({ cameraConsented: false, cameraSource: 'no_consent' })).toBe('no_consent');
    expect(reason({ cameraSource: 'error' })).toBe('source_error');
    expect(reason({ cameraSource: 'streaming', face: null })).toBe('no_frames');
    expect(reason({ cameraSource: 'streaming', face: summariseFaceWindow([testFrame(null), testFrame(null)], true) })).toBe(
      'face_not_found',
    );
    const dark = summariseFaceWindow(
      Array.from({ length: 10 }, () => testFrame({}, { neutral: testNeutral(), luma: 15 })),
      true,
    );
    expect(reason({ cameraSource: 'streaming', face: dark })).toBe('poor_light');
    expect(reason({ cameraSource: 'streaming', face: seenFace() })).toBeUndefined();
  });

  it('names each wearable reason: no consent, not attached, no data, off the wrist, source error', () => {
    const reason = (input: Partial<Parameters<typeof fuse>[0]>) =>
      fuse({ wearableConsented: true, cameraConsented: false, wearable: observation(), weights, ...input }).quality.unobservedReasons
        ?.wearable;
    expect(reason({ wearableConsented: false, wearableSource: 'no_consent' })).toBe('no_consent');
    expect(reason({ wearable: null, wearableSource: 'not_configured' })).toBe('not_configured');
    expect(reason({ wearable: null, wearableSource: 'error' })).toBe('source_error');
    expect(reason({ wearable: null, wearableSource: 'streaming' })).toBe('no_data');
    expect(reason({ wearable: observation({ onWrist: false }, { distress: null }), wearableSource: 'no_signal' })).toBe('off_wrist');
    expect(reason({ wearableSource: 'streaming' })).toBeUndefined();
    const both = fuse({ wearableConsented: false, cameraConsented: false, wearable: null, weights });
    expect(both.quality.unobservedReasons).toEqual({ face: 'no_consent', wearable: 'no_consent' });
    expect(() => asWindow(both)).not.toThrow();
  });
});
