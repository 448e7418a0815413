import { describe, expect, it } from 'vitest';
import { restSeconds, scoreOpenings, stressPeriods } from './episodes.ts';

/** 0 for `a` s, 1 for `b` s, 0 for `c` s, ... */
const timeline = (...parts: number[]) => parts.flatMap((n, i) => new Array<0 | 1>(n).fill((i % 2) as 0 | 1));

describe('alert evaluation episodes', () => {
  it('finds stress periods of at least 60 s and names them by protocol order', () => {
    const labels = timeline(100, 300, 300, 30, 300, 600, 300, 120, 200);
    const periods = stressPeriods(labels);
    expect(periods.map((p) => [p.startS, p.endS, p.task])).toEqual([
      [100, 400, 'stroop'],
      [1030, 1630, 'interview'],
      [1930, 2050, 'hyperventilation'],
    ]);
    expect(stressPeriods(timeline(10, 100), ['only']).map((p) => p.task)).toEqual(['only']);
  });

  it('rest starts 3 min after any stress (even a short run) and after the baseline', () => {
    const labels = timeline(300, 30, 400);
    const rest = restSeconds(labels, 120);
    expect(rest[119]).toBe(false);
    expect(rest[120]).toBe(true);
    expect(rest[299]).toBe(true);
    expect(rest[330 + 179]).toBe(false);
    expect(rest[330 + 180]).toBe(true);
    expect(rest.filter(Boolean).length).toBe(300 - 120 + (400 - 180));
  });

  it('counts false alerts in rest and detections up to 2 min after a period', () => {
    const labels = timeline(600, 300, 600, 300, 600);
    const out = scoreOpenings([200, 650, 1000, 1200, 1510, 1950], labels, 120, ['a', 'b']);
    // 200 is rest; 650 detects period a (50 s in); 1000 is 100 s after a: not rest (3 min rule) and inside the grace;
    // 1200 is rest (300 s after a ended); 1510 detects b at 10 s; 1950 is 2.5 min after b's end but not yet rest.
    expect(out.falseAlerts).toBe(2);
    expect(out.falseAlertAtS).toEqual([200, 1200]);
    expect(out.periods.map((p) => [p.task, p.detected, p.timeToAlertS])).toEqual([
      ['a', true, 50],
      ['b', true, 10],
    ]);
    expect(out.restHours).toBeCloseTo((600 - 120 + 420 + 420) / 3600);
    expect(scoreOpenings([], labels, 120, ['a', 'b']).periods.every((p) => !p.detected)).toBe(true);
  });
});
