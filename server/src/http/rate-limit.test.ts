import { describe, expect, it } from 'vitest';
import { addressKey, AttemptLimiter, WardPairingBudget } from './rate-limit.ts';

const MIN = 60_000;

describe('ward pairing budget', () => {
  it('allows the budget of wrong codes in 10 minutes, then pauses the ward for 10 minutes, reported once', () => {
    const budget = new WardPairingBudget(3);
    const pauses: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const attempt = budget.begin('ward-a', i * 1000);
      expect(attempt.kind).toBe('allowed');
      const pause = budget.failed('ward-a', i * 1000);
      if (pause) pauses.push(pause);
    }
    expect(pauses).toEqual([{ pausedUntilMs: 2000 + 10 * MIN, failedCodes: 3 }]);
    // Everyone on the ward waits, correct code or not; another ward does not.
    expect(budget.begin('ward-a', 5000)).toEqual({ kind: 'paused', retryAfterMs: 2000 + 10 * MIN - 5000 });
    expect(budget.begin('ward-b', 5000).kind).toBe('allowed');
    // After the pause the whole budget is back.
    for (let i = 0; i < 3; i++) {
      const attempt = budget.begin('ward-a', 2000 + 10 * MIN + i);
      expect(attempt.kind).toBe('allowed');
    }
  });

  it('reserves a slot per attempt, so concurrent guesses cannot overshoot; a correct code gives its slot back', () => {
    const budget = new WardPairingBudget(2);
    const first = budget.begin('w', 0);
    const second = budget.begin('w', 0);
    expect(budget.begin('w', 0).kind).toBe('paused');
    if (first.kind !== 'allowed' || second.kind !== 'allowed') throw new Error('expected two slots');
    budget.succeeded('w', first.ticket);
    expect(budget.begin('w', 0).kind).toBe('allowed');
  });

  it('forgets wards with nothing left in the window, so memory stays bounded by the wards that exist', () => {
    const budget = new WardPairingBudget(30);
    for (let i = 0; i < 100; i++) {
      budget.begin(`ward-${i}`, 0);
      budget.failed(`ward-${i}`, 0);
    }
    expect(budget.size).toBe(100);
    budget.begin('ward-0', 10 * MIN);
    expect(budget.size).toBe(1);
    const ok = budget.begin('ward-x', 10 * MIN);
    if (ok.kind === 'allowed') budget.succeeded('ward-x', ok.ticket);
    expect(budget.size).toBe(1);
  });
});

describe('attempt limiter per address', () => {
  it('allows the limit per window and says when to retry', () => {
    const limiter = new AttemptLimiter(2, MIN);
    expect([limiter.allow('a', 0), limiter.allow('a', 1), limiter.allow('a', 2)]).toEqual([true, true, false]);
    expect(limiter.retryAfterMs('a', 2)).toBe(MIN - 2);
    expect(limiter.allow('a', MIN)).toBe(true);
  });

  it('keeps at most maxKeys addresses however many there are', () => {
    const limiter = new AttemptLimiter(10, MIN, 100);
    for (let i = 0; i < 10_000; i++) limiter.allow(`10.0.${i >> 8}.${i & 255}`, i);
    expect(limiter.size).toBeLessThanOrEqual(100);
  });

  it('counts an IPv6 network by its /64 and an IPv4-mapped address as IPv4', () => {
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe(addressKey('2001:db8:1:2:ffff::1'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(addressKey('127.0.0.5')).toBe('127.0.0.5');
  });
});
