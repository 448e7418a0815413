import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WindowClock } from './window-clock.ts';

const W = 1000;
const T0 = Date.UTC(2026, 0, 1);

/** A clock whose windows are recorded and settle only when the test says so. */
function recordingClock() {
  const windows: [number, number][] = [];
  const settle: (() => void)[] = [];
  const errors: unknown[] = [];
  let fail = false;
  const clock = new WindowClock({
    windowMs: W,
    closeWindow: (startMs, endMs) => {
      windows.push([startMs - T0, endMs - T0]);
      if (fail) return Promise.reject(new Error('scoring failed'));
      return new Promise<void>((resolve) => settle.push(resolve));
    },
    onError: (err) => errors.push(err),
  });
  return {
    clock,
    windows,
    errors,
    failNext: () => (fail = true),
    /** Lets the window being closed finish, and its promise chain run. */
    settleLast: async () => {
      settle.shift()?.();
      await vi.advanceTimersByTimeAsync(0);
    },
  };
}

describe('WindowClock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes back-to-back windows of windowMs, each when its end comes due', async () => {
    const r = recordingClock();
    r.clock.start();
    await vi.advanceTimersByTimeAsync(W - 1);
    expect(r.windows).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.windows).toEqual([[0, W]]);
    await r.settleLast();
    await vi.advanceTimersByTimeAsync(W);
    await r.settleLast();
    await vi.advanceTimersByTimeAsync(W);
    expect(r.windows).toEqual([
      [0, W],
      [W, 2 * W],
      [2 * W, 3 * W],
    ]);
  });

  it('never closes a second window while one is still being closed', async () => {
    const r = recordingClock();
    r.clock.start();
    await vi.advanceTimersByTimeAsync(W);
    await vi.advanceTimersByTimeAsync(W / 2);
    expect(r.windows).toHaveLength(1); // the second window's end has not come yet
    await vi.advanceTimersByTimeAsync(W / 2);
    expect(r.windows).toHaveLength(1); // it has, but the first is still being closed
    await r.settleLast(); // settles at 2W: the second window is overdue and closes at once
    expect(r.windows).toEqual([
      [0, W],
      [W, 2 * W],
    ]);
  });

  it('after a stall starts afresh from now rather than closing a burst of stale windows', async () => {
    const r = recordingClock();
    r.clock.start();
    await vi.advanceTimersByTimeAsync(W);
    await vi.advanceTimersByTimeAsync(2.5 * W); // the first window takes 2.5 windows to close
    await r.settleLast();
    // Now is 3.5W: the window [W, 2W] is more than a window late, so the clock takes the last windowMs instead.
    expect(r.windows).toEqual([
      [0, W],
      [2.5 * W, 3.5 * W],
    ]);
    await r.settleLast();
    await vi.advanceTimersByTimeAsync(W);
    expect(r.windows.at(-1)).toEqual([3.5 * W, 4.5 * W]);
  });

  it('restartWindow starts the current window from now, and the windows after it follow on', async () => {
    const r = recordingClock();
    r.clock.start();
    await vi.advanceTimersByTimeAsync(W / 2);
    r.clock.restartWindow();
    await vi.advanceTimersByTimeAsync(W / 2);
    expect(r.windows).toEqual([[W / 2, 1.5 * W]]);
    await r.settleLast();
    await vi.advanceTimersByTimeAsync(1.5 * W);
    expect(r.windows.at(-1)).toEqual([1.5 * W, 2.5 * W]);
  });

  it('carries on after a window fails, reporting the error', async () => {
    const r = recordingClock();
    r.failNext();
    r.clock.start();
    await vi.advanceTimersByTimeAsync(W);
    await vi.advanceTimersByTimeAsync(W);
    expect(r.errors.map((e) => (e as Error).message)).toEqual(['scoring failed', 'scoring failed']);
    expect(r.windows).toEqual([
      [0, W],
      [W, 2 * W],
    ]);
  });

  it('stop() closes no further window and resolves only when the one being closed has settled', async () => {
    const r = recordingClock();
    r.clock.start();
    await vi.advanceTimersByTimeAsync(W);
    let stopped = false;
    void r.clock.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    await r.settleLast();
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(5 * W);
    expect(r.windows).toHaveLength(1);
  });

  it('stop() before the first window closes none', async () => {
    const r = recordingClock();
    r.clock.start();
    await r.clock.stop();
    await vi.advanceTimersByTimeAsync(5 * W);
    expect(r.windows).toEqual([]);
  });
});
