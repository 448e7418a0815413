import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.ts';

describe('login throttle', () => {
  it('lets five failures through, then locks the username with doubling delays', () => {
    const t = new LoginThrottle();
    let now = 0;
    for (let i = 0; i < 5; i++) {
      expect(t.retryAfterMs('nurse', '10.0.0.1', now)).toBe(0);
      t.failed('nurse', '10.0.0.1', now);
    }
    expect(t.retryAfterMs('nurse', '10.0.0.1', now)).toBe(0); // five free failures
    t.failed('nurse', '10.0.0.1', now);
    expect(t.retryAfterMs('nurse', '10.0.0.1', now)).toBe(1000);
    now += 1000;
    t.failed('nurse', '10.0.0.1', now);
    expect(t.retryAfterMs('nurse', '10.0.0.1', now)).toBe(2000);
    // Another address does not escape the username's lock; case and spaces do not either.
    expect(t.retryAfterMs(' NURSE ', '10.9.9.9', now)).toBe(2000);
    // Another username from the first address is not locked (the address allows 20 failures).
    expect(t.retryAfterMs('charge', '10.0.0.1', now)).toBe(0);
  });

  it('caps the delay at 15 minutes and forgets after an hour without failures', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 40; i++) t.failed('x', 'a', 0);
    expect(t.retryAfterMs('x', 'a', 0)).toBe(15 * 60_000);
    t.failed('x', 'b', 2 * 3600_000);
    expect(t.retryAfterMs('x', 'b', 2 * 3600_000)).toBe(0);
  });

  it('locks an address that guesses many usernames', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 21; i++) t.failed(`user${i}`, '10.0.0.7', 0);
    expect(t.retryAfterMs('someone-else', '10.0.0.7', 0)).toBe(1000);
    expect(t.retryAfterMs('someone-else', '10.0.0.8', 0)).toBe(0);
  });

  it('a successful sign-in clears the username', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 6; i++) t.failed('nurse', 'a', 0);
    t.succeeded('nurse');
    expect(t.retryAfterMs('nurse', 'b', 0)).toBe(0);
  });

  it("an administrator's clear lifts the username's lock, but not the address's", () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 25; i++) t.failed('nurse', 'a', 0);
    expect(t.usernameLockedUntilMs('nurse', 0)).toBeGreaterThan(0);
    t.clear(' Nurse ');
    expect(t.usernameLockedUntilMs('nurse', 0)).toBeNull();
    expect(t.retryAfterMs('nurse', 'b', 0)).toBe(0);
    // The address guessed too much on its own account: it stays locked.
    expect(t.retryAfterMs('nurse', 'a', 0)).toBeGreaterThan(0);
  });

  it('prunes by its own rules, not the defaults', () => {
    const quick = { freeFailures: 5, baseDelayMs: 1, maxDelayMs: 1, forgetAfterMs: 10 };
    const t = new LoginThrottle({ username: quick, address: { ...quick, freeFailures: 1_000_000 } });
    for (let i = 0; i <= 50_000; i++) t.failed(`user${i}`, 'a', 0);
    expect(t.trackedKeys).toBe(50_002);
    // 100 ms later every entry is older than this throttle's 10 ms forget time (the default is an hour).
    t.failed('late', 'b', 100);
    expect(t.trackedKeys).toBe(2);
  });
});
