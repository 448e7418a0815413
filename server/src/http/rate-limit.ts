/**
 * Limits on bedside tablet pairing (docs/tablet-pairing.md), and the client address every limit
 * counts by (sign-in too). In memory: one server process owns them, and a restart forgets them.
 *
 * - `AttemptLimiter`: fixed-window attempt counter per client address. Behind a reverse proxy every
 *   client shares the proxy's address, so the limit then applies to all tablets together (still
 *   10 per minute, which a ward does not reach by pairing).
 * - `WardPairingBudget`: failed codes per ward in a sliding window. It is what bounds guessing, as
 *   addresses are cheap (an IPv6 /64, a botnet, or 127.0.0.0/8 on the server itself).
 * - `refuseOverAttemptLimit` and `setRetryAfter`: the 429 answers of sign-in, tablet pairing and
 *   agent enrolment, with `Retry-After` in whole seconds.
 */

import { ApiError } from './errors.ts';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** The most address keys kept at once (about 1 MB). */
const MAX_ADDRESS_KEYS = 10_000;

/**
 * The key an address is counted under: an IPv4 address as is, an IPv6 address by its /64 (one
 * subscriber's network, which hands its owner 2^64 addresses).
 */
export function addressKey(address: string): string {
  const v4Mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4Mapped) return v4Mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The key this request's client is counted under by every limit (sign-in and tablet pairing): see addressKey. */
export function clientAddress(c: Context): string {
  return addressKey(getConnInfo(c).remote.address ?? 'unknown');
}

export class AttemptLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly maxKeys = MAX_ADDRESS_KEYS,
  ) {}

  /** Counts an attempt; false once the key has used up its attempts in the current window. */
  allow(key: string, nowMs = Date.now()): boolean {
    const w = this.windows.get(key);
    if (!w || nowMs - w.startMs >= this.windowMs) {
      this.windows.delete(key);
      this.makeRoom(nowMs);
      // Insertion order is window start order: the oldest window is always first.
      this.windows.set(key, { startMs: nowMs, count: 1 });
      return true;
    }
    w.count += 1;
    return w.count <= this.limit;
  }

  /** Milliseconds until `key` may try again (0: now). */
  retryAfterMs(key: string, nowMs = Date.now()): number {
    const w = this.windows.get(key);
    return w && w.count > this.limit ? Math.max(0, w.startMs + this.windowMs - nowMs) : 0;
  }

  /** Keys currently remembered (for tests and the memory bound). */
  get size(): number {
    return this.windows.size;
  }

  /**
   * Drops finished windows; at the cap, the oldest window too. Forgetting an address early lets it
   * try again sooner, which is safe because the ward budget, not this limiter, bounds guessing;
   * refusing new addresses instead would let an attacker lock every tablet out.
   */
  private makeRoom(nowMs: number): void {
    if (this.windows.size < this.maxKeys) return;
    for (const [k, w] of this.windows) {
      if (nowMs - w.startMs < this.windowMs) break;
      this.windows.delete(k);
    }
    while (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
  }
}

export type WardAttempt =
  /** Go ahead; report the outcome with `failed` or `succeeded`. */
  | { kind: 'allowed'; ticket: number }
  /** The ward is paused; nobody pairs on it until `retryAfterMs` has passed. */
  | { kind: 'paused'; retryAfterMs: number };

/**
 * Failed pairing codes per ward in a sliding window (default 30 per 10 minutes). When a ward's
 * budget is spent, pairing on that ward pauses for one full window from that failure, for every
 * address and for correct codes too: the pause is what makes guessing from many addresses not
 * scale. An attempt reserves its slot before the code is checked, so concurrent guesses cannot
 * overshoot the budget; a correct code gives its slot back.
 *
 * Memory: call only with ids of wards that exist (the caller checks), at most `limit` timestamps per
 * ward, and a ward with nothing left in its window is forgotten.
 */
export class WardPairingBudget {
  private readonly wards = new Map<string, { attemptsMs: Map<number, number>; pausedUntilMs: number }>();
  private nextTicket = 1;

  constructor(
    private readonly failuresPerWindow: number,
    private readonly windowMs = 10 * 60_000,
  ) {}

  /** Reserves a slot for one attempt on `wardId`, or says the ward is paused. */
  begin(wardId: string, nowMs = Date.now()): WardAttempt {
    this.prune(nowMs);
    const ward = this.wards.get(wardId) ?? { attemptsMs: new Map<number, number>(), pausedUntilMs: 0 };
    if (ward.pausedUntilMs > nowMs) return { kind: 'paused', retryAfterMs: ward.pausedUntilMs - nowMs };
    if (ward.attemptsMs.size >= this.failuresPerWindow) {
      // Only in-flight attempts fill it (a spent budget would have paused the ward): wait for them.
      const oldest = Math.min(...ward.attemptsMs.values());
      return { kind: 'paused', retryAfterMs: Math.max(1000, oldest + this.windowMs - nowMs) };
    }
    const ticket = this.nextTicket++;
    ward.attemptsMs.set(ticket, nowMs);
    this.wards.set(wardId, ward);
    return { kind: 'allowed', ticket };
  }

  /** A correct code: its slot is given back. */
  succeeded(wardId: string, ticket: number): void {
    const ward = this.wards.get(wardId);
    ward?.attemptsMs.delete(ticket);
    if (ward && ward.attemptsMs.size === 0 && ward.pausedUntilMs === 0) this.wards.delete(wardId);
  }

  /**
   * A wrong code: its slot stays spent. Returns the pause's end when this failure spent the
   * budget (a new pause begins: report it once), else null.
   */
  failed(wardId: string, nowMs = Date.now()): { pausedUntilMs: number; failedCodes: number } | null {
    const ward = this.wards.get(wardId);
    if (!ward || ward.pausedUntilMs > nowMs || ward.attemptsMs.size < this.failuresPerWindow) return null;
    ward.pausedUntilMs = nowMs + this.windowMs;
    return { pausedUntilMs: ward.pausedUntilMs, failedCodes: ward.attemptsMs.size };
  }

  /** Wards currently remembered (for tests and the memory bound). */
  get size(): number {
    return this.wards.size;
  }

  private prune(nowMs: number): void {
    for (const [wardId, ward] of this.wards) {
      for (const [ticket, atMs] of ward.attemptsMs) if (nowMs - atMs >= this.windowMs) ward.attemptsMs.delete(ticket);
      if (ward.pausedUntilMs <= nowMs) ward.pausedUntilMs = 0;
      if (ward.attemptsMs.size === 0 && ward.pausedUntilMs === 0) this.wards.delete(wardId);
    }
  }
}

/** Sets `Retry-After` to the wait in whole seconds (at least 1) and answers those seconds. */
export function setRetryAfter(c: Context, waitMs: number): number {
  const retryAfterS = Math.max(1, Math.ceil(waitMs / 1000));
  c.header('Retry-After', String(retryAfterS));
  return retryAfterS;
}

/** Counts an attempt from `address`; one past the limit is answered 429 `rate_limited` with `message`. */
export function refuseOverAttemptLimit(c: Context, limiter: AttemptLimiter, address: string, nowMs: number, message: string): void {
  if (limiter.allow(address, nowMs)) return;
  setRetryAfter(c, limiter.retryAfterMs(address, nowMs));
  throw new ApiError(429, 'rate_limited', message);
}
