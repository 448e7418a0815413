import { FaceBlockSchema } from '@attune/protocol';
import { describe, expect, it } from 'vitest';
import { FACE_QUALITY_FLOOR, summariseFaceWindow, wellLit } from './face-window.ts';
import { testFrame, testNeutral, type FaceShape } from '../../test/test-landmarks.ts';

const neutral = testNeutral();
const grimace: FaceShape = { browY: 0.45, lidHalf: 0.06, noseLip: 0.2 };
const times = <T>(n: number, make: () => T) => Array.from({ length: n }, make);

describe('face window summary', () => {
  it('relaxed face: PAINAD 0 with its basis, schema-valid block', () => {
    const obs = summariseFaceWindow(
      times(10, () => testFrame({}, { neutral })),
      true,
    );
    expect(obs.block.painadFace).toBe(0);
    expect(obs.block.painadFaceBasis).toEqual({ code: 'relaxed', frames: 10 });
    expect(obs.block.pspi).toBe(0);
    expect(obs.block.negativeAffectAboveBaseline).toBe(0);
    expect(obs.block.faceVisibleFraction).toBe(1);
    expect(obs.unobservedReason).toBeNull();
    expect(() => FaceBlockSchema.parse(obs.block)).not.toThrow();
    expect(obs.quality).toBeGreaterThan(0.8);
  });

  it('grimacing in most frames: PAINAD 2 from PSPI, with the mean PSPI of the grimacing frames', () => {
    const frames = [
      ...times(7, () => testFrame(grimace, { neutral, expression: { neutral: 0.2, sad: 0.5, angry: 0.3 } })),
      ...times(3, () => testFrame({}, { neutral })),
    ];
    const obs = summariseFaceWindow(frames, true);
    expect(obs.block.painadFace).toBe(2);
    expect(obs.block.painadFaceBasis).toEqual({ code: 'grimacing', fraction: 0.7, pspi: expect.any(Number) });
    expect(obs.block.painadFaceBasis.pspi!).toBeGreaterThan(obs.block.pspi!); // grimacing frames only, not the window mean
    expect(obs.block.pspi!).toBeGreaterThan(4);
    expect(obs.fractions.browAndEyes).toBeCloseTo(0.7);
    expect(obs.block.negativeAffect).toBeCloseTo(0.56);
    expect(obs.block.negativeAffectAboveBaseline).toBeCloseTo(0.56);
    expect(() => FaceBlockSchema.parse(obs.block)).not.toThrow();
  });

  it('a wide-open mouth alone (a yawn, talking, an oxygen mask) is PSPI 0, no grimace and PAINAD 0', () => {
    const obs = summariseFaceWindow(
      times(10, () => testFrame({ mouthGap: 0.9 }, { neutral })),
      true,
    );
    expect(obs.block.actionUnits!.au20au25au27MouthStretchOpen).toBeGreaterThan(4); // measured, and reported
    expect(obs.block.pspi).toBe(0);
    expect(obs.fractions.grimace).toBe(0);
    expect(obs.block.painadFace).toBe(0);
    // Even with brow lowering and an open mouth, the mouth adds nothing: frowning, not grimacing.
    const frownAndOpen = summariseFaceWindow(
      times(10, () => testFrame({ browY: 0.5, mouthGap: 0.9, mouthHalf: 0.9 }, { neutral })),
      true,
    );
    expect(frownAndOpen.fractions.grimace).toBe(0);
    expect(frownAndOpen.block.painadFace).toBe(1);
    expect(frownAndOpen.block.painadFaceBasis.code).toBe('frowning');
  });

  it('frown, or an expression more negative than the neutral face: PAINAD 1', () => {
    expect(
      summariseFaceWindow(
        times(4, () => testFrame({ browY: 0.55 }, { neutral })),
        true,
      ).block.painadFace,
    ).toBe(1);
    const sad = summariseFaceWindow(
      times(4, () => testFrame({}, { neutral, expression: { neutral: 0.1, sad: 0.9 } })),
      true,
    );
    expect(sad.block.painadFace).toBe(1);
    expect(sad.block.painadFaceBasis).toEqual({ code: 'looks_upset', fraction: 1 });
  });

  it('"sad" as the patient\'s resting face is not upset: only the change against the neutral face counts', () => {
    const restingSad = testNeutral({}, { neutral: 0.2, sad: 0.7 });
    const obs = summariseFaceWindow(
      times(10, () =>
        testFrame({ mouthHalf: 0.74 }, { neutral: restingSad, expression: { neutral: 0.1, happy: 0.12, sad: 0.73, surprised: 0.05 } }),
      ),
      true,
    );
    expect(obs.block.negativeAffect).toBeCloseTo(0.73); // the classifier's absolute output, reported as context
    expect(obs.block.negativeAffectAboveBaseline!).toBeLessThan(0.05);
    expect(obs.fractions.upset).toBe(0);
    expect(obs.block.painadFace).toBe(0);
  });

  it('no face, no baseline, turned away, dark: nothing is guessed, quality and the reason say why', () => {
    const none = summariseFaceWindow([testFrame(null), testFrame(null)], true);
    expect(none.block.painadFace).toBeNull();
    expect(none.block.painadFaceBasis).toEqual({ code: 'face_not_seen', frames: 2 });
    expect(none.quality).toBe(0);
    expect(none.unobservedReason).toBe('face_not_found');

    const early = summariseFaceWindow(
      times(4, () => testFrame(grimace, { expression: { neutral: 0.1, sad: 0.9 } })),
      false,
    );
    expect(early.block.pspi).toBeNull();
    expect(early.block.actionUnits).toBeNull();
    expect(early.block.negativeAffectAboveBaseline).toBeNull();
    expect(early.block.painadFace).toBeNull(); // an unread face is not a relaxed one
    expect(early.qualityNotes).toContainEqual({ code: 'face_baseline_learning' });
    expect(early.unobservedReason).toBe('learning_baseline');

    const turned = summariseFaceWindow(
      times(4, () => testFrame(grimace, { neutral, yawDeg: 50 })),
      true,
    );
    expect(turned.framesUsable).toBe(0);
    expect(turned.qualityNotes[0]).toEqual({ code: 'face_turned_away', value: 1, unit: 'fraction' });
    expect(turned.quality).toBeLessThan(FACE_QUALITY_FLOOR);
    expect(turned.unobservedReason).toBe('turned_away');

    const dark = summariseFaceWindow(
      times(4, () => testFrame({}, { neutral, luma: 20 })),
      true,
    );
    expect(dark.quality).toBeLessThan(FACE_QUALITY_FLOOR);
    expect(dark.unobservedReason).toBe('poor_light');

    const glimpsed = summariseFaceWindow([testFrame({}, { neutral }), ...times(4, () => testFrame(null))], true);
    expect(glimpsed.quality).toBeLessThan(FACE_QUALITY_FLOOR);
    expect(glimpsed.unobservedReason).toBe('face_not_found');
  });
});

describe('light', () => {
  it('judges light by contrast, not by how dark the skin is (figures measured in test/bench/face-fairness)', () => {
    expect(wellLit(146, 51)).toBe(true); // well-lit reference photographs
    expect(wellLit(31.5, 17)).toBe(true); // dark skin in a dim room: readable, was refused by a fixed brightness floor
    expect(wellLit(60, 24)).toBe(true); // very light skin in the same room
    expect(wellLit(132, 12.7)).toBe(false); // washed out (contrast x0.25): bright but featureless
    expect(wellLit(24, 10.7)).toBe(false); // five stops under: too dark to read for anyone
    expect(wellLit(10, 20)).toBe(false); // nearly black
    expect(wellLit(240, 40)).toBe(false); // clipped
  });
});
