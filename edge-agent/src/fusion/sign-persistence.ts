/**
 * How long each sign has been present without a break, so a driver can carry "for 4 min": a nurse
 * reads a sustained sign very differently from a passing one. Keeps only start times per sign.
 */
export class SignPersistence {
  private readonly since = new Map<string, { startMs: number; lastEndMs: number }>();

  constructor(
    /** A gap longer than this between windows breaks a streak (a missed window, a restart). */
    private readonly maxGapMs = 15_000,
  ) {}

  /** Records this window; returns whole seconds the sign has lasted once it spans 2+ windows, else null. */
  update(key: string, active: boolean, windowStartMs: number, windowEndMs: number): number | null {
    if (!active) {
      this.since.delete(key);
      return null;
    }
    const prev = this.since.get(key);
    const entry =
      prev && windowStartMs - prev.lastEndMs <= this.maxGapMs
        ? { startMs: prev.startMs, lastEndMs: windowEndMs }
        : { startMs: windowStartMs, lastEndMs: windowEndMs };
    this.since.set(key, entry);
    if (!prev || entry.startMs === windowStartMs) return null;
    return Math.max(0, Math.round((windowEndMs - entry.startMs) / 1000));
  }

  clear(): void {
    this.since.clear();
  }
}
