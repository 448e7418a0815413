import { loadWearableWeights, type WindowFeatures } from '@attune/models';
import { describe, expect, it } from 'vitest';
import type { WearableObservation } from '../fusion/wearable-part.ts';
import type { ExpressionProbabilities, FrameAnalysis } from './face-window.ts';
import { faceMeasures } from './landmarks.ts';
import { NeutralFaceBaseline, WEARABLE_CALM_MAX_DISTRESS, type CalmEvidence } from './neutral-baseline.ts';
import { schematicFace, testFrame, type FaceShape } from '../../test/test-landmarks.ts';

function wearable(distress: number | null, over: { onWrist?: boolean; baselineReady?: boolean } = {}): WearableObservation {
  const features: WindowFeatures = {
    windowStartMs: 0,
    windowEndMs: 5000,
    hrBpm: 70,
    sdnnMs: 40,
    rmssdMs: 35,
    sclUs: 3,
    scrPerMin: 1,
    tempC: 33,
    activityG: 0.01,
    coverage: 1,
    onWrist: over.onWrist ?? true,
    sampleCount: 200,
    ibiAccepted: 30,
    ibiRejected: 0,
  };
  return {
    features,
    z: { hrBpm: 0, rmssdMs: 0, sclUs: 0, scrPerMin: 0, tempC: 0, activityG: 0 },
    distress,
    baselineReady: over.baselineReady ?? true,
    baseline: { hrBpm: 70, rmssdMs: 35, sclUs: 3, scrPerMin: 1, tempC: 33, activityG: 0.01 },
  };
}

const calm: CalmEvidence = { wearableConsented: true, wearable: wearable(0.1) };
/** One 5 s window at 2 fps: 10 frames. */
const window = (shape: FaceShape, options: Parameters<typeof testFrame>[1] = {}): FrameAnalysis[] =>
  Array.from({ length: 10 }, () => testFrame(shape, options));
const tense: FaceShape = { browY: 0.5, lidHalf: 0.1 };
const sadResting: Partial<ExpressionProbabilities> = { neutral: 0.3, sad: 0.7 };

describe('neutral face baseline, vetted by the wearable and the face', () => {
  it('calls the wearable calm at or below the calibrated model base rate', () => {
    expect(WEARABLE_CALM_MAX_DISTRESS).toBeCloseTo(loadWearableWeights().threshold!.value, 2);
  });

  it('is refused while the wearable says distressed, is not ready, or is off the wrist', () => {
    const b = new NeutralFaceBaseline({ framesNeeded: 20 });
    expect(b.vetWindow(window({}), { wearableConsented: true, wearable: wearable(0.8) })).toEqual({
      outcome: 'refused',
      reason: 'wearable_not_calm',
    });
    // Low distress, but an arousal sign above the patient's baseline (not vetted calm): refused too.
    expect(b.vetWindow(window({}), { wearableConsented: true, wearable: { ...wearable(0.2), vettedCalm: false } })).toEqual({
      outcome: 'refused',
      reason: 'wearable_not_calm',
    });
    expect(b.vetWindow(window({}), { wearableConsented: true, wearable: wearable(0.1, { baselineReady: false }) })).toMatchObject({
      reason: 'wearable_not_ready',
    });
    expect(b.vetWindow(window({}), { wearableConsented: true, wearable: wearable(null, { onWrist: false }) })).toMatchObject({
      reason: 'wearable_not_ready',
    });
    expect(b.vetWindow(window({}), { wearableConsented: true, wearable: null })).toMatchObject({ reason: 'wearable_not_ready' });
    expect(b.isReady()).toBe(false);
    expect(b.progress()).toBe(0);
  });

  it('is refused while the head moves, turns away or the eyes are closed, and a refusal breaks the period', () => {
    const b = new NeutralFaceBaseline({ framesNeeded: 20 });
    expect(b.vetWindow(window({}), calm)).toMatchObject({ outcome: 'collecting', framesCollected: 10 });
    expect(b.vetWindow(window({}, { motion: 0.12 }), calm)).toEqual({ outcome: 'refused', reason: 'face_unsteady' });
    expect(b.progress()).toBe(0); // one unbroken calm stretch, not calm moments stitched together
    expect(b.vetWindow(window({}, { yawDeg: 25 }), calm)).toMatchObject({ reason: 'face_unsteady' });
    expect(b.vetWindow(window({ lidHalf: 0.02 }), calm)).toMatchObject({ reason: 'face_unsteady' }); // asleep
    expect(b.vetWindow([testFrame(null), testFrame(null)], calm)).toMatchObject({ reason: 'face_not_seen' });
    expect(b.isReady()).toBe(false);
  });

  it('is accepted when the wearable and the face are both calm, with the resting expression as its reference', () => {
    const b = new NeutralFaceBaseline({ framesNeeded: 20 });
    expect(b.vetWindow(window({}, { expression: sadResting }), calm).outcome).toBe('collecting');
    expect(b.vetWindow(window({}, { expression: sadResting }), calm)).toEqual({ outcome: 'accepted' });
    const n = b.current()!;
    expect(n.vettedBy).toBe('wearable_calm');
    expect(n.wearableDistress).toBeCloseTo(0.1);
    expect(n.negativeAffect).toBeCloseTo(0.7);
    expect(n.measures.browEye).toBeCloseTo(faceMeasures(schematicFace()).browEye, 9);
  });

  it('without the wearable, accepts only a long, steady, quiet face (four times as many frames)', () => {
    const b = new NeutralFaceBaseline({ framesNeeded: 20 });
    const faceOnly: CalmEvidence = { wearableConsented: false, wearable: null };
    for (let i = 0; i < 7; i++) expect(b.vetWindow(window({}), faceOnly).outcome).toBe('collecting');
    expect(b.vetWindow(window({}), faceOnly)).toEqual({ outcome: 'accepted' });
    expect(b.current()!.vettedBy).toBe('steady_face_only');
    expect(b.current()!.wearableDistress).toBeNull();

    // A face that keeps changing between a frown and rest is not quiet against its own median.
    const c = new NeutralFaceBaseline({ framesNeeded: 20 });
    const mixed = () => [...Array.from({ length: 5 }, () => testFrame({})), ...Array.from({ length: 5 }, () => testFrame(tense))];
    for (let i = 0; i < 7; i++) c.vetWindow(mixed(), faceOnly);
    expect(c.vetWindow(mixed(), faceOnly)).toEqual({ outcome: 'refused', reason: 'face_only_not_quiet' });
    expect(c.isReady()).toBe(false);
  });

  it('re-vets: a later calmer period that disagrees replaces a tense first baseline; a tenser one does not', () => {
    const b = new NeutralFaceBaseline({ framesNeeded: 10 });
    // Admission: quiet heart, tense face (stoic pain). It is learned, for want of anything better.
    expect(b.vetWindow(window(tense, { expression: { neutral: 0.4, sad: 0.6 } }), calm)).toEqual({ outcome: 'accepted' });
    // Later a truly relaxed face under an equally calm wearable: measured against the tense
    // baseline it shows no pain sign (so it is admitted), and the tense baseline shows pain
    // against it, so it replaces the baseline outright.
    const relaxed = () => window({}, { neutral: b.current(), expression: { neutral: 0.9, sad: 0.1 } });
    expect(b.vetWindow(relaxed(), calm)).toEqual({ outcome: 'replaced' });
    expect(b.current()!.measures.browEye).toBeCloseTo(faceMeasures(schematicFace()).browEye, 9);
    expect(b.current()!.negativeAffect).toBeCloseTo(0.1);
    expect(b.current()!.replacements).toBe(1);

    // A later period that agrees moves the baseline a small step towards itself.
    const slightlyHigherBrows = () => window({ browY: 0.72 }, { neutral: b.current(), expression: { neutral: 0.9, sad: 0.1 } });
    expect(b.vetWindow(slightlyHigherBrows(), calm)).toEqual({ outcome: 'agreed' });
    const after = b.current()!.measures.browEye;
    expect(after).toBeGreaterThan(faceMeasures(schematicFace()).browEye);
    expect(after).toBeLessThan(faceMeasures(schematicFace({ browY: 0.72 })).browEye);

    // A tense face is refused frame by frame once a baseline exists (pain signs against it)...
    expect(b.vetWindow(window(tense, { neutral: b.current() }), calm)).toEqual({ outcome: 'refused', reason: 'pain_signs' });
    // ...and a period that reads more negative than the baseline, with no geometric sign, is kept out.
    const moreNegative = () => window({}, { neutral: b.current(), expression: { neutral: 0.4, sad: 0.6 } });
    expect(b.vetWindow(moreNegative(), calm)).toEqual({ outcome: 'kept', reason: 'new_period_tenser' });
    expect(b.current()!.negativeAffect).toBeLessThan(0.15);
  });

  it('re-vetting never swaps in a period vetted under a more aroused wearable', () => {
    const b = new NeutralFaceBaseline({ framesNeeded: 10 });
    b.vetWindow(window({}, { expression: sadResting }), { wearableConsented: true, wearable: wearable(0.05) });
    const lessNegative = window({}, { neutral: b.current(), expression: { neutral: 0.9, sad: 0.1 } });
    expect(b.vetWindow(lessNegative, { wearableConsented: true, wearable: wearable(0.28) })).toEqual({
      outcome: 'kept',
      reason: 'new_period_tenser',
    });
    expect(b.current()!.negativeAffect).toBeCloseTo(0.7);
  });

  it('forgets everything for a new patient', () => {
    const b = new NeutralFaceBaseline({ framesNeeded: 10 });
    b.vetWindow(window({}), calm);
    expect(b.isReady()).toBe(true);
    b.reset();
    expect(b.isReady()).toBe(false);
    expect(b.progress()).toBe(0);
  });
});
