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
});
