import { describe, expect, it } from 'vitest';
import { actionUnits, intensity, pspi } from './action-units.ts';
import { faceMeasures, headPose, interOcular, landmarkMotion } from './landmarks.ts';
import { schematicFace } from '../../test/test-landmarks.ts';

const neutral = faceMeasures(schematicFace());
const aus = (shape: Parameters<typeof schematicFace>[0]) => actionUnits(faceMeasures(schematicFace(shape)), neutral);

describe('face geometry', () => {
  it('normalises by inter-ocular distance: the same face nearer the camera measures the same', () => {
    expect(interOcular(schematicFace())).toBeCloseTo(2, 6);
    const far = faceMeasures(schematicFace({ scale: 0.4, dx: 30 }));
    for (const k of Object.keys(neutral) as (keyof typeof neutral)[]) expect(far[k]).toBeCloseTo(neutral[k], 6);
  });

  it('reads yaw from the 3-D eye line and landmark motion net of translation', () => {
    expect(headPose(schematicFace({ yawDeg: 25 })).yawDeg).toBeCloseTo(-25, 4);
    expect(Math.abs(headPose(schematicFace()).yawDeg)).toBeLessThan(1e-9);
    expect(landmarkMotion(schematicFace(), schematicFace({ dx: 40 }))).toBeCloseTo(0, 9);
    expect(landmarkMotion(schematicFace(), schematicFace({ mouthGap: 0.5 }))).toBeGreaterThan(0);
  });
});

describe('action units against the patient baseline', () => {
  it('the neutral face scores zero everywhere', () => {
    const au = aus({});
    expect(au).toEqual({
      au4BrowLowering: 0,
      au6au7OrbitalTightening: 0,
      au9au10NoseWrinkleLipRaise: 0,
      au43EyeClosure: 0,
      au20au25au27MouthStretchOpen: 0,
    });
    expect(pspi(au)).toBe(0);
  });

  it('brow lowering raises AU4; squinting raises AU6/7 without eye closure', () => {
    expect(aus({ browY: 0.5 }).au4BrowLowering).toBeGreaterThan(2.5);
    const squint = aus({ lidHalf: 0.08 });
    expect(squint.au6au7OrbitalTightening).toBeGreaterThan(2);
    expect(squint.au43EyeClosure).toBe(0);
  });

  it('closed eyes alone (sleep) are AU43 only; squeezed shut under lowered brows is pain', () => {
    const sleep = aus({ lidHalf: 0.01 });
    expect(sleep.au43EyeClosure).toBe(1);
    expect(sleep.au6au7OrbitalTightening).toBe(0);
    expect(pspi(sleep)).toBe(1);
    const squeezed = aus({ lidHalf: 0.01, browY: 0.45 });
    expect(squeezed.au6au7OrbitalTightening).toBeGreaterThan(4);
    expect(pspi(squeezed)).toBeGreaterThan(9);
  });

  it('upper-lip raise (AU10) and mouth opening / stretch (AU25-27, AU20)', () => {
    expect(aus({ noseLip: 0.2 }).au9au10NoseWrinkleLipRaise).toBeGreaterThan(2);
    expect(aus({ mouthGap: 0.6 }).au20au25au27MouthStretchOpen).toBeGreaterThan(3);
    expect(aus({ mouthHalf: 0.85 }).au20au25au27MouthStretchOpen).toBeGreaterThan(2);
  });

  it('PSPI = AU4 + max(AU6, AU7) + max(AU9, AU10) + AU43: a yawn (mouth wide open, stretched) scores 0', () => {
    const yawn = aus({ mouthGap: 1.2, mouthHalf: 0.9 });
    expect(yawn.au20au25au27MouthStretchOpen).toBe(5);
    expect(pspi(yawn)).toBe(0);
    const frown = aus({ browY: 0.5 });
    expect(pspi({ ...frown, au20au25au27MouthStretchOpen: 5 })).toBe(pspi(frown));
  });

  it('PSPI stays within 0..16 at the extremes', () => {
    const worst = aus({ browY: 0.1, lidHalf: 0, noseLip: 0.01, mouthGap: 2 });
    expect(pspi(worst)).toBeLessThanOrEqual(16);
    expect(pspi(worst)).toBeGreaterThan(14);
    expect(intensity(10, 0, 1)).toBe(5);
    expect(intensity(-1, 0, 1)).toBe(0);
  });
});
