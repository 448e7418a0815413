import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sweepPhaseMs } from './ward-evaluator.ts';

describe('ward read-back sweep phase', () => {
  it('spreads wards over the minute instead of sweeping them all at once, the same on every instance', () => {
    const wardIds = Array.from({ length: 42 }, () => randomUUID());
    const phases = wardIds.map(sweepPhaseMs);
    expect(phases.every((ms) => ms >= 0 && ms < 60_000)).toBe(true);
    expect(wardIds.map(sweepPhaseMs)).toEqual(phases);
    // 42 wards in 6 ten-second slices: none holds more than half of them.
    const perSlice = [0, 1, 2, 3, 4, 5].map((slice) => phases.filter((ms) => Math.floor(ms / 10_000) === slice).length);
    expect(Math.max(...perSlice)).toBeLessThanOrEqual(21);
  });
});
