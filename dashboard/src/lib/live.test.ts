import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const client = vi.hoisted(() => ({ getMe: vi.fn(), redirectToLogin: vi.fn() }));
vi.mock('./api/client', () => client);

/** A stand-in for the browser's EventSource: the test opens, feeds and fails it. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static all: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  #listeners = new Map<string, (ev: { data: string }) => void>();
  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
  }
  addEventListener(name: string, fn: (ev: { data: string }) => void): void {
    this.#listeners.set(name, fn);
  }
  close(): void {
    this.closed = true;
    this.readyState = FakeEventSource.CLOSED;
  }
  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }
  emit(name: string, data: unknown): void {
    this.#listeners.get(name)?.({ data: JSON.stringify(data) });
  }
  refuse(): void {
    this.readyState = FakeEventSource.CLOSED;
    this.onerror?.();
  }
}

const latest = () => FakeEventSource.all[FakeEventSource.all.length - 1]!;

describe('the live stream', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeEventSource.all = [];
    vi.stubGlobal('EventSource', FakeEventSource);
    vi.resetModules();
    client.getMe.mockReset();
    client.redirectToLogin.mockReset();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('stays live on heartbeats, turns stale after 25 s of silence, and replaces the stalled stream', async () => {
    const { live, STALE_AFTER_MS } = await import('./live.svelte');
    const reset = vi.fn();
    const stop = live.subscribe({ reset });
    latest().open();
    expect(live.status).toBe('live');

    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(10_000);
      latest().emit('heartbeat', { at: new Date().toISOString() });
    }
    expect(live.status).toBe('live');
    expect(FakeEventSource.all).toHaveLength(1);

    vi.advanceTimersByTime(STALE_AFTER_MS - 1);
    expect(live.status).toBe('live');
    vi.advanceTimersByTime(1);
    expect(live.status).toBe('stale');
    expect(FakeEventSource.all[0]!.closed).toBe(true);
    expect(FakeEventSource.all).toHaveLength(2);

    // Still stale while the new stream has not opened; live again (and told to reload) once it has.
    vi.advanceTimersByTime(5_000);
    expect(live.status).toBe('stale');
    latest().open();
    expect(live.status).toBe('live');
    expect(reset).toHaveBeenCalledTimes(1);
    stop();
    live.stop();
  });

  it('goes to the sign-in page when the session ended, unless the page asked to stay', async () => {
    const { live } = await import('./live.svelte');
    client.getMe.mockResolvedValue(null);
    live.subscribe({});
    latest().open();
    latest().refuse();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.redirectToLogin).toHaveBeenCalledTimes(1);
    expect(live.status).toBe('stopped');

    live.stayOnSignOut = true;
    const reset = vi.fn();
    live.subscribe({ reset });
    latest().open();
    latest().refuse();
    await vi.advanceTimersByTimeAsync(0);
    expect(live.status).toBe('signed_out');
    expect(client.redirectToLogin).toHaveBeenCalledTimes(1);

    // Someone signs in again in this browser: the stream comes back and the page reloads what it shows.
    client.getMe.mockResolvedValue({ id: 'u1' });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(live.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    latest().open();
    expect(live.status).toBe('live');
    expect(reset).toHaveBeenCalledTimes(1);
    live.stop();
  });
});
