/**
 * Login throttling. After a few free failures, each further failure for the same username, or from
 * the same address, locks that key for a growing delay (1 s, 2 s, 4 s ... up to 15 min); while a key
 * is locked the login answers 429 with `Retry-After` before any password is checked, so guessing
 * costs time whether or not the guess is right. A successful sign-in clears the username's count.
 * The address allows more failures than a username (a ward's staff may share one address behind a
 * proxy); callers pass `clientAddress`, which counts an IPv6 client by its /64 so a guesser cannot
 * step through the 2^64 addresses its network hands it. In memory: one server process owns it (app.ts makes one instance, shared by sign-in and
 * user administration), and a restart forgets it. An administrator's password reset clears the
 * username's lock, so a locked-out user is never stuck until the delay runs out.
 */

interface Entry {
  failures: number;
  lockedUntilMs: number;
  lastFailureMs: number;
}

export interface ThrottleRule {
  /** Failures allowed before the delays start. */
  freeFailures: number;
  /** First delay; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A key with no failure for this long starts afresh. */
  forgetAfterMs: number;
}

export const USERNAME_RULE: ThrottleRule = { freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };
export const ADDRESS_RULE: ThrottleRule = { freeFailures: 20, baseDelayMs: 1000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly rules: { username: ThrottleRule; address: ThrottleRule } = { username: USERNAME_RULE, address: ADDRESS_RULE },
  ) {}

  private static userKey(username: string): string {
    return `user:${username.trim().toLowerCase()}`;
  }

  private keys(username: string, address: string): [string, ThrottleRule][] {
    return [
      [LoginThrottle.userKey(username), this.rules.username],
      [`addr:${address}`, this.rules.address],
    ];
  }

  /** Milliseconds before this username from this address may try again (0: now). */
  retryAfterMs(username: string, address: string, nowMs: number): number {
    return Math.max(0, ...this.keys(username, address).map(([key]) => (this.entries.get(key)?.lockedUntilMs ?? 0) - nowMs));
  }

  failed(username: string, address: string, nowMs: number): void {
    if (this.entries.size > 50_000) this.prune(nowMs);
    for (const [key, rule] of this.keys(username, address)) {
      const previous = this.entries.get(key);
      const entry =
        previous && nowMs - previous.lastFailureMs < rule.forgetAfterMs
          ? previous
          : { failures: 0, lockedUntilMs: 0, lastFailureMs: nowMs };
      entry.failures += 1;
      entry.lastFailureMs = nowMs;
      const over = entry.failures - rule.freeFailures;
      if (over > 0) entry.lockedUntilMs = nowMs + Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** (over - 1));
      this.entries.set(key, entry);
    }
  }

  succeeded(username: string): void {
    this.entries.delete(LoginThrottle.userKey(username));
  }

  /** An administrator reset the user's password: forget the username's failures and lock. */
  clear(username: string): void {
    this.entries.delete(LoginThrottle.userKey(username));
  }

  /** Until when (epoch ms) the username is locked, or null when it may try now. Addresses are not considered. */
  usernameLockedUntilMs(username: string, nowMs: number): number | null {
    const lockedUntilMs = this.entries.get(LoginThrottle.userKey(username))?.lockedUntilMs ?? 0;
    return lockedUntilMs > nowMs ? lockedUntilMs : null;
  }

  /** How many usernames and addresses are remembered (memory bound; tests). */
  get trackedKeys(): number {
    return this.entries.size;
  }

  private prune(nowMs: number): void {
    const forgetAfterMs = Math.min(this.rules.username.forgetAfterMs, this.rules.address.forgetAfterMs);
    for (const [key, e] of this.entries) {
      if (e.lockedUntilMs <= nowMs && nowMs - e.lastFailureMs >= forgetAfterMs) {
        this.entries.delete(key);
      }
    }
  }
}
