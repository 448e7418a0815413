/**
 * The window clock: back-to-back windows of `windowMs`, each closed when its end comes due. Closing
 * is serialised: the next window is scheduled only once the last has settled, so two windows are
 * never measured at once. After a stall (a suspended VM, a blocked event loop) the clock starts
 * afresh from now instead of emitting a burst of stale windows.
 */
export interface WindowClockOptions {
  windowMs: number;
  /** Measures and publishes one window. */
  closeWindow: (startMs: number, endMs: number) => Promise<void>;
  /** A window failed; the clock carries on with the next. */
  onError: (err: unknown) => void;
  now?: () => number;
}

export class WindowClock {
  private windowStartMs: number;
  private timer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  private stopped = false;
  private readonly now: () => number;
  private windowMs: number;

  /** The first window starts now; none is closed until start(). */
  constructor(private readonly o: WindowClockOptions) {
    this.now = o.now ?? (() => Date.now());
    this.windowStartMs = this.now();
    this.windowMs = o.windowMs;
  }

  /**
   * A new window length (remote configuration), from the current window on: it closes at its start
   * plus the new length; when that has already passed (a shorter length), it becomes the last
   * new-length stretch up to now and closes at once. No window is longer than the new length.
   */
  setWindowMs(windowMs: number): void {
    this.windowMs = windowMs;
    if (this.windowStartMs + windowMs < this.now()) this.windowStartMs = this.now() - windowMs;
    if (this.timer && !this.closing && !this.stopped) {
      clearTimeout(this.timer);
      this.schedule();
    }
  }

  currentWindowMs(): number {
    return this.windowMs;
  }

  start(): void {
    this.schedule();
  }

  /** Starts the current window again from now (what was measured in it is discarded by the caller). */
  restartWindow(): void {
    this.windowStartMs = this.now();
    // The timer set for the old window would close this one early, with its end still in the
    // future (and, on the wearable, too few samples: read as "off the wrist"). Re-arm it. While a
    // window is being closed, the next timer is set from the new start once it settles.
    if (this.timer && !this.closing && !this.stopped) {
      clearTimeout(this.timer);
      this.schedule();
    }
  }

  /** No further window is closed; resolves when one being closed has settled. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return this.closing ?? Promise.resolve();
  }

  private schedule(): void {
    if (this.stopped) return;
    const { windowMs } = this;
    this.timer = setTimeout(
      () => {
        const now = this.now();
        let endMs = this.windowStartMs + windowMs;
        if (now - endMs > windowMs) {
          this.windowStartMs = now - windowMs;
          endMs = now;
        }
        const startMs = this.windowStartMs;
        this.windowStartMs = endMs;
        this.closing = this.o
          .closeWindow(startMs, endMs)
          .catch(this.o.onError)
          .finally(() => {
            this.closing = null;
            this.schedule();
          });
      },
      Math.max(0, this.windowStartMs + windowMs - this.now()),
    );
  }
}
