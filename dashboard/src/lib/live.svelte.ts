/**
 * One shared EventSource on /api/events for the whole app. The browser resends Last-Event-ID on
 * its own reconnects, so the server replays what we missed or sends `reset`. When the stream is
 * closed for good (e.g. the server answered an error), we check the session and open a fresh
 * stream; a fresh stream has no Last-Event-ID, so subscribers are told to refetch.
 */
import { getMe, redirectToLogin } from './api/client';
import type { LiveEventMap } from './api/types';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';

type Handlers = { [K in keyof LiveEventMap]?: (data: LiveEventMap[K]) => void };

/** Every event of the stream; the record makes a new event type in LiveEventMap fail to compile until it is listed here. */
const EVENT_NAMES = Object.keys({
  score: true,
  alert: true,
  device: true,
  monitoring: true,
  consent: true,
  stay: true,
  escalation: true,
  heartbeat: true,
  reset: true,
} satisfies Record<keyof LiveEventMap, true>) as (keyof LiveEventMap)[];

class LiveStream {
  status = $state<LiveStatus>('stopped');
  /** When the last event or successful (re)connection was seen. */
  lastEventAt = $state<Date | null>(null);

  #source: EventSource | null = null;
  #subscribers = new Set<Handlers>();
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #retryDelayMs = 1000;
  #hasConnectedBefore = false;
  #replacesClosedStream = false;

  /** Subscribe to live events; returns the unsubscribe function. Opens the stream on first use. */
  subscribe(handlers: Handlers): () => void {
    this.#subscribers.add(handlers);
    if (!this.#source && !this.#retryTimer) this.#open();
    return () => {
      this.#subscribers.delete(handlers);
    };
  }

  /** Close the stream (on sign-out). */
  stop(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#source?.close();
    this.#source = null;
    this.#hasConnectedBefore = false;
    this.status = 'stopped';
  }

  #dispatch<K extends keyof LiveEventMap>(name: K, data: LiveEventMap[K]): void {
    for (const s of this.#subscribers) {
      try {
        (s[name] as ((d: LiveEventMap[K]) => void) | undefined)?.(data);
      } catch (err) {
        console.error(`live ${name} handler failed`, err);
      }
    }
  }

  #open(): void {
    this.status = this.#hasConnectedBefore ? 'reconnecting' : 'connecting';
    const source = new EventSource('/api/events', { withCredentials: true });
    this.#source = source;

    source.onopen = () => {
      this.#retryDelayMs = 1000;
      this.#hasConnectedBefore = true;
      this.status = 'live';
      this.lastEventAt = new Date();
      // A replacement EventSource carries no Last-Event-ID: anything missed while away is gone.
      if (this.#replacesClosedStream) this.#dispatch('reset', {});
      this.#replacesClosedStream = false;
    };

    source.onerror = () => {
      if (this.#source !== source) return;
      if (source.readyState === EventSource.CONNECTING) {
        // The browser reconnects by itself and resends Last-Event-ID.
        this.status = 'reconnecting';
        return;
      }
      // CLOSED: the server refused the stream. Find out whether the session is gone.
      source.close();
      this.#source = null;
      this.status = 'reconnecting';
      void this.#retryAfterClose();
    };

    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (ev) => {
        this.lastEventAt = new Date();
        if (this.status !== 'live') this.status = 'live';
        let data: unknown = {};
        try {
          data = JSON.parse((ev as MessageEvent<string>).data || '{}');
        } catch {
          return;
        }
        this.#dispatch(name, data as LiveEventMap[typeof name]);
      });
    }
  }

  async #retryAfterClose(): Promise<void> {
    try {
      const me = await getMe();
      if (!me) {
        this.stop();
        redirectToLogin();
        return;
      }
    } catch {
      // Server unreachable: keep retrying below.
    }
    if (this.#subscribers.size === 0) {
      this.status = 'stopped';
      return;
    }
    const delay = this.#retryDelayMs;
    this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, 30_000);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#replacesClosedStream = true;
      this.#open();
    }, delay);
  }
}

export const live = new LiveStream();
