/**
 * How long each sign has been present without a break, so a driver can say "for 4 min": a nurse
 * reads a sustained sign very differently from a passing one. Keeps only start times per sign.
 */
export class SignPersistence {
  private readonly since = new Map<string, { startMs: number; lastEndMs: number }>();

  constructor(
    /** A gap longer than this between windows breaks a streak (a missed window, a restart). */
    private readonly maxGapMs = 15_000,
  ) {}

  /** Records this window; returns "for 45 s" / "for 4 min" once the sign has lasted 2+ windows, else null. */
  update(key: string, active: boolean, windowStartMs: number, windowEndMs: number): string | null {
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
    return formatDuration(windowEndMs - entry.startMs);
  }

  clear(): void {
    this.since.clear();
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `for ${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `for ${min} min`;
  return `for ${Math.round((min / 60) * 10) / 10} h`;
}
