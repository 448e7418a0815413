/**
 * Fixed-window attempt counter per key (client address). In memory: one server process owns it;
 * behind a reverse proxy every client shares the proxy's address, so the limit then applies to
 * all tablets together (still 10 per minute, which a ward does not reach by pairing).
 */
export class AttemptLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Counts an attempt; false once the key has used up its attempts in the current window. */
  allow(key: string, nowMs = Date.now()): boolean {
    if (this.windows.size > 10_000) for (const [k, w] of this.windows) if (nowMs - w.startMs >= this.windowMs) this.windows.delete(k);
    const w = this.windows.get(key);
    if (!w || nowMs - w.startMs >= this.windowMs) {
      this.windows.set(key, { startMs: nowMs, count: 1 });
      return true;
    }
    w.count += 1;
    return w.count <= this.limit;
  }
}
