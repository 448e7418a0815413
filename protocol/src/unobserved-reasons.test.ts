import { describe, expect, it } from 'vitest';
import { decodePayload, exampleScoreWindow, FACE_UNOBSERVED_REASONS, WEARABLE_UNOBSERVED_REASONS, type ScoreWindow } from './index.ts';

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const withQuality = (quality: Record<string, unknown>): unknown => ({
  ...exampleScoreWindow,
  quality: { ...exampleScoreWindow.quality, ...quality },
});

describe('quality.unobservedReasons: why a modality was not observed, as closed codes', () => {
  it('accepts every face and wearable reason, one per modality, and a window without any (older agents)', () => {
    for (const face of FACE_UNOBSERVED_REASONS) {
      expect(decodePayload('scores', bytes(withQuality({ unobservedReasons: { face } }))).ok).toBe(true);
    }
    for (const wearable of WEARABLE_UNOBSERVED_REASONS) {
      expect(decodePayload('scores', bytes(withQuality({ unobservedReasons: { wearable } }))).ok).toBe(true);
    }
    const both = decodePayload('scores', bytes(withQuality({ unobservedReasons: { face: 'not_configured', wearable: 'off_wrist' } })));
    expect(both.ok && (both.value as ScoreWindow).quality.unobservedReasons).toEqual({ face: 'not_configured', wearable: 'off_wrist' });
    expect(decodePayload('scores', bytes(exampleScoreWindow)).ok).toBe(true);
    expect(decodePayload('scores', bytes(withQuality({ unobservedReasons: {} }))).ok).toBe(true);
  });

  it('refuses free text, a reason of the other modality, an unknown modality and a list', () => {
    const refused = (unobservedReasons: unknown) => decodePayload('scores', bytes(withQuality({ unobservedReasons })));
    expect(refused({ face: 'the camera fell behind the bed' }).ok).toBe(false);
    expect(refused({ face: 'off_wrist' }).ok).toBe(false);
    expect(refused({ wearable: 'poor_light' }).ok).toBe(false);
    expect(refused({ microphone: 'no_consent' }).ok).toBe(false);
    expect(refused({ face: ['no_consent', 'poor_light'] }).ok).toBe(false);
    expect(refused('no_consent').ok).toBe(false);
  });
});

describe('face.negativeAffectAboveBaseline', () => {
  const withFace = (negativeAffectAboveBaseline: unknown) =>
    decodePayload('scores', bytes({ ...exampleScoreWindow, face: { ...exampleScoreWindow.face, negativeAffectAboveBaseline } }));

  it('is 0..1, null before a neutral baseline exists, and may be absent (older agents)', () => {
    expect(withFace(0).ok).toBe(true);
    expect(withFace(1).ok).toBe(true);
    expect(withFace(null).ok).toBe(true);
    const { negativeAffectAboveBaseline: _dropped, ...older } = exampleScoreWindow.face!;
    expect(decodePayload('scores', bytes({ ...exampleScoreWindow, face: older })).ok).toBe(true);
  });

  it('refuses values outside 0..1 and strings', () => {
    expect(withFace(-0.1).ok).toBe(false);
    expect(withFace(1.2).ok).toBe(false);
    expect(withFace('0.3').ok).toBe(false);
  });
});
