import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WindowClock } from './window-clock.ts';

const W = 1000;
const T0 = Date.UTC(2026, 0, 1);

/**
 * A started clock whose windows are recorded as "start-end" in windows since T0, and settle only
 * when the test says so (or fail at once, when `failing`).
 */
function startedClock({ failing = false } = {}) {
  const windows: string[] = [];
  const settle: (() => void)[] = [];
  const errors: string[] = [];
  const clock = new WindowClock({
    windowMs: W,
    closeWindow: (startMs, endMs) => {
      windows.push(`${(startMs - T0) / W}-${(endMs - T0) / W}`);
      if (failing) return Promise.reject(new Error('scoring failed'));
      return new Promise<void>((resolve) => settle.push(resolve));
    },
    onError: (err) => errors.push((err as Error).message),
  });
  clock.start();
  /** Lets the window being closed finish, and its promise chain run. */
  const settleLast = async () => {
    settle.shift()?.();
    await vi.advanceTimersByTimeAsync(0);
  };
  return {
    clock,
    windows,
    errors,
    settleLast,
    /** Settles the window being closed, lets one more window pass, and returns the last window closed by then. */
    nextWindow: async () => {
      await settleLast();
      await elapse(1);
      return windows.at(-1);
    },
  };
}

const elapse = (windows: number) => vi.advanceTimersByTimeAsync(windows * W);

describe('WindowClock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes back-to-back windows of windowMs, each when its end comes due', async () => {
    const r = startedClock();
    await vi.advanceTimersByTimeAsync(W - 1);
    expect(r.windows).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.windows).toEqual(['0-1']);
    await r.nextWindow();
    await r.nextWindow();
    expect(r.windows).toEqual(['0-1', '1-2', '2-3']);
  });

  it('never closes a second window while one is still being closed', async () => {
    const r = startedClock();
    await elapse(1.5);
    expect(r.windows).toHaveLength(1); // the second window's end has not come yet
    await elapse(0.5);
    expect(r.windows).toHaveLength(1); // it has, but the first is still being closed
    await r.settleLast(); // settles at 2W: the second window is due and closes at once
    expect(r.windows).toEqual(['0-1', '1-2']);
  });

  it('after a stall starts afresh from now rather than closing a burst of stale windows', async () => {
    const r = startedClock();
    await elapse(3.5); // the first window takes 2.5 windows to close
    await r.settleLast();
    // Now is 3.5W: the window 1-2 is more than a window late, so the clock takes the last windowMs instead.
    expect(r.windows).toEqual(['0-1', '2.5-3.5']);
    expect(await r.nextWindow()).toBe('3.5-4.5');
  });

  it('restartWindow starts the current window from now and closes it a whole window later, never early', async () => {
    const r = startedClock();
    await elapse(0.5);
    r.clock.restartWindow();
    await elapse(0.9);
    expect(r.windows).toEqual([]); // the old window's timer (due at 1.0) must not close the new one
    await elapse(0.1);
    expect(r.windows).toEqual(['0.5-1.5']);
    expect(await r.nextWindow()).toBe('1.5-2.5');
  });

  it('restartWindow while a window is being closed: the next window starts from the restart', async () => {
    const r = startedClock();
    await elapse(1);
    expect(r.windows).toEqual(['0-1']);
    await elapse(0.25);
    r.clock.restartWindow();
    await r.settleLast();
    await elapse(0.9);
    expect(r.windows).toEqual(['0-1']);
    await elapse(0.1);
    expect(r.windows.at(-1)).toBe('1.25-2.25');
  });

  it('carries on after a window fails, reporting the error', async () => {
    const r = startedClock({ failing: true });
    await elapse(2);
    expect(r.errors).toEqual(['scoring failed', 'scoring failed']);
    expect(r.windows).toEqual(['0-1', '1-2']);
  });

  it('stop() closes no further window and resolves only when the one being closed has settled', async () => {
    const r = startedClock();
    await elapse(1);
    let stopped = false;
    void r.clock.stop().then(() => (stopped = true));
    await elapse(0);
    expect(stopped).toBe(false);
    await r.settleLast();
    expect(stopped).toBe(true);
    await elapse(5);
    expect(r.windows).toEqual(['0-1']);
  });

  it('stop() before the first window closes none', async () => {
    const r = startedClock();
    await r.clock.stop();
    await elapse(5);
    expect(r.windows).toEqual([]);
  });
  it('takes a new window length from the current window on (remote configuration), without a burst', async () => {
    const t = startedClock();
    await elapse(1);
    expect(t.windows).toEqual(['0-1']);
    await t.settleLast();
    // Longer: the window begun at 1 now ends at 4.
    t.clock.setWindowMs(3 * W);
    await elapse(2);
    expect(t.windows).toEqual(['0-1']);
    await elapse(1);
    expect(t.windows).toEqual(['0-1', '1-4']);
    await t.settleLast();
    // Shorter, with more of the window already gone than the new length: it closes at once, one new length long.
    await vi.advanceTimersByTimeAsync(2.5 * W);
    t.clock.setWindowMs(W / 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.windows).toEqual(['0-1', '1-4', '6-6.5']);
    expect(t.clock.currentWindowMs()).toBe(W / 2);
  });
});
