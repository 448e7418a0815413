import { describe, expect, it } from 'vitest';
import { ALARM_PATTERNS, burstDurationMs, burstPeriodMs, type AlarmPattern } from './patterns';

/** Silence between consecutive pulses (end of one to start of the next). */
const gaps = (p: AlarmPattern) => p.pulses.slice(1).map((pulse, i) => pulse.startMs - (p.pulses[i]!.startMs + p.pulses[i]!.durationMs));

describe('alarm patterns (IEC 60601-1-8 Tables 3 and 4)', () => {
  it('high: 10 pulses of 75-200 ms as 3+2, pause, 3+2, with spacing x in 50-125 ms, 2x+td between the groups and 0.35-1.3 s in the middle', () => {
    const high = ALARM_PATTERNS.high;
    expect(high.pulses).toHaveLength(10);
    const td = high.pulses[0]!.durationMs;
    expect(td).toBeGreaterThanOrEqual(75);
    expect(td).toBeLessThanOrEqual(200);
    const g = gaps(high);
    const x = g[0]!;
    expect(x).toBeGreaterThanOrEqual(50);
    expect(x).toBeLessThanOrEqual(125);
    expect(g).toEqual([x, x, 2 * x + td, x, g[4], x, x, 2 * x + td, x]);
    expect(g[4]).toBeGreaterThanOrEqual(350);
    expect(g[4]).toBeLessThanOrEqual(1300);
  });

  it('medium has 3 pulses and low 2, of 125-250 ms with spacing y in 125-250 ms', () => {
    for (const [pattern, count] of [
      [ALARM_PATTERNS.medium, 3],
      [ALARM_PATTERNS.low, 2],
    ] as const) {
      expect(pattern.pulses).toHaveLength(count);
      for (const pulse of pattern.pulses) expect(pulse.durationMs).toBeGreaterThanOrEqual(125);
      for (const pulse of pattern.pulses) expect(pulse.durationMs).toBeLessThanOrEqual(250);
      for (const gap of gaps(pattern)) expect(gap).toBeGreaterThanOrEqual(125);
      for (const gap of gaps(pattern)) expect(gap).toBeLessThanOrEqual(250);
    }
  });

  it('repeats within the standard intervals, high most often, low rarely; escalation shortens high and medium only', () => {
    const { high, medium, low } = ALARM_PATTERNS;
    for (const ms of [high.interburstMs, high.escalatedInterburstMs]) expect(ms).toBeGreaterThanOrEqual(2_500);
    for (const ms of [high.interburstMs, high.escalatedInterburstMs]) expect(ms).toBeLessThanOrEqual(15_000);
    for (const ms of [medium.interburstMs, medium.escalatedInterburstMs]) expect(ms).toBeGreaterThanOrEqual(2_500);
    for (const ms of [medium.interburstMs, medium.escalatedInterburstMs]) expect(ms).toBeLessThanOrEqual(30_000);
    expect(low.interburstMs).toBeGreaterThan(15_000);
    expect(burstPeriodMs(high, false)).toBeLessThan(burstPeriodMs(medium, false));
    expect(burstPeriodMs(medium, false)).toBeLessThan(burstPeriodMs(low, false));
    expect(high.escalatedInterburstMs).toBeLessThan(high.interburstMs);
    expect(medium.escalatedInterburstMs).toBeLessThan(medium.interburstMs);
    expect(burstDurationMs(high)).toBe(high.pulses[9]!.startMs + high.pulses[9]!.durationMs);
  });

  it('rises in 10-20 % of the pulse, falls within the rest, and sounds 150-1000 Hz with 4 harmonics up to 4 kHz within 15 dB', () => {
    for (const p of Object.values(ALARM_PATTERNS)) {
      const td = p.pulses[0]!.durationMs;
      expect(p.riseMs / td).toBeGreaterThanOrEqual(0.1);
      expect(p.riseMs / td).toBeLessThanOrEqual(0.2);
      expect(p.fallMs).toBeLessThanOrEqual(td - p.riseMs);
      expect(p.fundamentalHz).toBeGreaterThanOrEqual(150);
      expect(p.fundamentalHz).toBeLessThanOrEqual(1000);
      const harmonics = p.harmonicAmplitudes.slice(1);
      expect(harmonics.length).toBeGreaterThanOrEqual(4);
      expect(p.fundamentalHz * p.harmonicAmplitudes.length).toBeLessThanOrEqual(4000);
      for (const a of harmonics) expect(20 * Math.log10(a)).toBeGreaterThanOrEqual(-15);
    }
    const pitches = new Set(Object.values(ALARM_PATTERNS).map((p) => p.fundamentalHz));
    expect(pitches.size).toBe(3);
  });
});
