import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RecordingVoice } from './test-fakes';
import { ALARM_PATTERNS, burstPeriodMs } from './patterns';
import { AlarmScheduler } from './scheduler';

describe('AlarmScheduler', () => {
  let voice: RecordingVoice;
  let scheduler: AlarmScheduler;
  let t0: number;
  beforeEach(() => {
    vi.useFakeTimers();
    t0 = Date.now();
    voice = new RecordingVoice();
    scheduler = new AlarmScheduler(voice);
  });
  afterEach(() => vi.useRealTimers());

  const highPeriod = burstPeriodMs(ALARM_PATTERNS.high, false);
  const highEscalated = burstPeriodMs(ALARM_PATTERNS.high, true);
  const mediumPeriod = burstPeriodMs(ALARM_PATTERNS.medium, false);

  it('plays the first burst at once and repeats it every period until told to stop', () => {
    scheduler.update({ priority: 'high', escalated: false });
    expect(scheduler.playing).toBe('high');
    vi.advanceTimersByTime(3 * highPeriod);
    expect(voice.bursts(t0)).toEqual([
      [0, 'high'],
      [highPeriod, 'high'],
      [2 * highPeriod, 'high'],
      [3 * highPeriod, 'high'],
    ]);
    scheduler.update(null);
    expect(scheduler.playing).toBeNull();
    expect(voice.log.at(-1)?.what).toBe('silence');
    vi.advanceTimersByTime(10 * highPeriod);
    expect(voice.bursts(t0)).toHaveLength(4);
  });

  it('changes nothing when told the same target again', () => {
    scheduler.update({ priority: 'medium', escalated: false });
    vi.advanceTimersByTime(mediumPeriod - 1);
    scheduler.update({ priority: 'medium', escalated: false });
    vi.advanceTimersByTime(1);
    expect(voice.bursts(t0)).toEqual([
      [0, 'medium'],
      [mediumPeriod, 'medium'],
    ]);
  });

  it('interrupts a lower priority at once with a higher one, and goes back to the lower when it is acknowledged', () => {
    scheduler.update({ priority: 'medium', escalated: false });
    vi.advanceTimersByTime(1_000);
    scheduler.update({ priority: 'high', escalated: false });
    vi.advanceTimersByTime(highPeriod);
    scheduler.update({ priority: 'medium', escalated: false });
    expect(voice.log.map((e) => [e.at - t0, e.what])).toEqual([
      [0, 'silence'],
      [0, 'medium'],
      [1_000, 'silence'],
      [1_000, 'high'],
      [1_000 + highPeriod, 'high'],
      [1_000 + highPeriod, 'silence'],
      [1_000 + highPeriod, 'medium'],
    ]);
  });

  it('repeats faster once escalated, counting from the burst already played', () => {
    scheduler.update({ priority: 'high', escalated: false });
    vi.advanceTimersByTime(1_000);
    scheduler.update({ priority: 'high', escalated: true });
    vi.advanceTimersByTime(2 * highEscalated);
    expect(voice.bursts(t0)).toEqual([
      [0, 'high'],
      [highEscalated, 'high'],
      [2 * highEscalated, 'high'],
    ]);
    expect(highEscalated).toBeLessThan(highPeriod);
  });
});
