import { describe, expect, it } from 'vitest';
import { applyPlatt, baseRateBrier, brierScore, expectedCalibrationError, fitPlatt, logitOf, reliabilityBins } from './calibration.ts';
import { mulberry32 } from '../rng.ts';

describe('calibration', () => {
  it('Platt scaling recovers an over-confident score (logit three times too steep)', () => {
    const rand = mulberry32(7);
    const logits: number[] = [];
    const labels: (0 | 1)[] = [];
    for (let i = 0; i < 20_000; i++) {
      const trueLogit = (rand() - 0.5) * 6;
      labels.push(rand() < 1 / (1 + Math.exp(-trueLogit)) ? 1 : 0);
      logits.push(3 * trueLogit + 1);
    }
    const c = fitPlatt(logits, labels);
    expect(c.slope).toBeCloseTo(1 / 3, 1);
    expect(c.intercept).toBeCloseTo(-1 / 3, 1);
    const raw = logits.map((l) => 1 / (1 + Math.exp(-l)));
    const calibrated = logits.map((l) => applyPlatt(c, l));
    expect(expectedCalibrationError(calibrated, labels)).toBeLessThan(0.02);
    expect(expectedCalibrationError(raw, labels)).toBeGreaterThan(0.05);
    expect(brierScore(calibrated, labels)).toBeLessThan(brierScore(raw, labels));
  });

  it('Brier, base rate and ECE by hand', () => {
    expect(brierScore([0.5, 0.5], [1, 0])).toBe(0.25);
    expect(baseRateBrier([1, 0, 0, 0])).toBeCloseTo(0.1875);
    // Two bins: 0.1 predicted where 0 of 2 happened (gap 0.1), 0.9 predicted where 1 of 2 happened (gap 0.4).
    expect(expectedCalibrationError([0.1, 0.1, 0.9, 0.9], [0, 0, 1, 0])).toBeCloseTo(0.25);
    expect(reliabilityBins([0.1, 0.95], [0, 1], 10).map((b) => b.from)).toEqual([0.1, 0.9]);
    expect(logitOf(0.5)).toBe(0);
  });
});
