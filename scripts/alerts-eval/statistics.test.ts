import { describe, expect, it } from 'vitest';
import { median, poissonInterval95 } from './statistics.ts';

describe('alert evaluation statistics', () => {
  it('exact Poisson intervals match published tables', () => {
    const [l0, u0] = poissonInterval95(0);
    expect(l0).toBe(0);
    expect(u0).toBeCloseTo(3.689, 2);
    const [l5, u5] = poissonInterval95(5);
    expect(l5).toBeCloseTo(1.623, 2);
    expect(u5).toBeCloseTo(11.668, 2);
  });

  it('median', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
