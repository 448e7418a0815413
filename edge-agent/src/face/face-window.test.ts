import { FaceBlockSchema } from '@attune/protocol';
import { describe, expect, it } from 'vitest';
import { actionUnits, pspi } from './action-units.ts';
import { EXPRESSION_KEYS, summariseFaceWindow, type ExpressionProbabilities, type FrameAnalysis } from './face-window.ts';
import { faceMeasures } from './landmarks.ts';
import { schematicFace, type FaceShape } from './test-landmarks.ts';

const neutral = faceMeasures(schematicFace());
const expr = (over: Partial<ExpressionProbabilities> = {}): ExpressionProbabilities => {
  const base = Object.fromEntries(EXPRESSION_KEYS.map((k) => [k, 0])) as ExpressionProbabilities;
  return { ...base, neutral: 1, ...over };
};

function frame(shape: FaceShape | null, e = expr(), baseline = true, yawDeg = 0): FrameAnalysis {
  if (!shape) return { tMs: 0, facesFound: 0, patient: null };
  const measures = faceMeasures(schematicFace(shape));
  const usable = Math.abs(yawDeg) <= 30;
  const au = baseline && usable ? actionUnits(measures, neutral) : null;
  return {
    tMs: 0,
    facesFound: 1,
    patient: {
      detectorScore: 0.9,
      box: { x1: 0, y1: 0, x2: 100, y2: 100 },
      expression: e,
      pose: { yawDeg, pitchDeg: 0, rollDeg: 0 },
      luma: 120,
      motion: 0.01,
      measures,
      au,
      pspi: au ? pspi(au) : null,
      usable,
    },
  };
}

const grimace: FaceShape = { browY: 0.45, lidHalf: 0.06, noseLip: 0.2 };

describe('face window summary', () => {
  it('relaxed face: PAINAD 0 with its basis, schema-valid block', () => {
    const obs = summariseFaceWindow(
      Array.from({ length: 10 }, () => frame({})),
      true,
    );
    expect(obs.block.painadFace).toBe(0);
    expect(obs.block.painadFaceBasis).toEqual({ code: 'relaxed', frames: 10 });
    expect(obs.block.pspi).toBe(0);
    expect(obs.block.faceVisibleFraction).toBe(1);
    expect(() => FaceBlockSchema.parse(obs.block)).not.toThrow();
    expect(obs.quality).toBeGreaterThan(0.8);
  });

  it('grimacing in most frames: PAINAD 2, PSPI high, fractions for the drivers', () => {
    const frames = [
      ...Array.from({ length: 7 }, () => frame(grimace, expr({ neutral: 0.2, sad: 0.5, angry: 0.3 }))),
      ...Array.from({ length: 3 }, () => frame({})),
    ];
    const obs = summariseFaceWindow(frames, true);
    expect(obs.block.painadFace).toBe(2);
    expect(obs.block.painadFaceBasis).toEqual({ code: 'grimacing', fraction: 0.7, pspi: expect.any(Number) });
    expect(obs.block.painadFaceBasis.pspi!).toBeGreaterThan(4);
    expect(obs.block.pspi!).toBeGreaterThan(4);
    expect(obs.fractions.browAndEyes).toBeCloseTo(0.7);
    expect(obs.block.negativeAffect).toBeCloseTo(0.56);
    expect(() => FaceBlockSchema.parse(obs.block)).not.toThrow();
  });

  it('frown or sad expression: PAINAD 1', () => {
    expect(
      summariseFaceWindow(
        Array.from({ length: 4 }, () => frame({ browY: 0.55 })),
        true,
      ).block.painadFace,
    ).toBe(1);
    const sad = summariseFaceWindow(
      Array.from({ length: 4 }, () => frame({}, expr({ neutral: 0.1, sad: 0.9 }))),
      true,
    );
    expect(sad.block.painadFace).toBe(1);
    expect(sad.block.painadFaceBasis).toEqual({ code: 'looks_upset', fraction: 1 });
  });

  it('no face, no baseline, turned away: nothing is guessed and quality says why', () => {
    const none = summariseFaceWindow([frame(null), frame(null)], true);
    expect(none.block.painadFace).toBeNull();
    expect(none.block.painadFaceBasis).toEqual({ code: 'face_not_seen', frames: 2 });
    expect(none.quality).toBe(0);
    const early = summariseFaceWindow(
      Array.from({ length: 4 }, () => frame(grimace, expr(), false)),
      false,
    );
    expect(early.block.pspi).toBeNull();
    expect(early.qualityNotes).toContainEqual({ code: 'face_baseline_learning' });
    const turned = summariseFaceWindow(
      Array.from({ length: 4 }, () => frame(grimace, expr(), true, 50)),
      true,
    );
    expect(turned.framesUsable).toBe(0);
    expect(turned.qualityNotes[0]).toEqual({ code: 'face_turned_away', value: 1, unit: 'fraction' });
    expect(turned.quality).toBeLessThan(0.4);
  });
});
