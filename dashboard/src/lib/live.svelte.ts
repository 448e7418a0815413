/**
 * One shared EventSource on /api/events for the whole app. The browser resends Last-Event-ID on
 * its own reconnects, so the server replays what we missed or sends `reset`. When the stream is
 * closed for good (e.g. the server answered an error), we check the session and open a fresh
 * stream; a fresh stream has no Last-Event-ID, so subscribers are told to refetch.
 *
 * Never pretend to be live: the server sends a heartbeat every 10 s, so a stream that says nothing
 * for STALE_AFTER_MS is stalled (a frozen proxy, a half-open connection) even though it is still
 * open. It is then shown as stale and replaced by a fresh one.
 */
import { getMe, redirectToLogin } from './api/client';
import type { LiveEventMap } from './api/types';

/**
 * connecting: first connection; live: events or heartbeats arriving; stale: open but silent past
 * STALE_AFTER_MS; reconnecting: the connection dropped; signed_out: the session ended (only when
 * the page asked to stay, see `stayOnSignOut`); stopped: closed on purpose.
 */
export type LiveStatus = 'connecting' | 'live' | 'stale' | 'reconnecting' | 'signed_out' | 'stopped';

/** Two missed heartbeats (every 10 s) and a margin: after this silence nothing shown is current. */
export const STALE_AFTER_MS = 25_000;
/** How often a signed-out page checks whether someone has signed in again in this browser. */
const SIGNED_OUT_RECHECK_MS = 30_000;

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

/** Whether what a page shows from the stream may be presented as current. */
export function isCurrent(status: LiveStatus): boolean {
  return status === 'live' || status === 'connecting';
}

class LiveStream {
  status = $state<LiveStatus>('stopped');
  /** When the last event, heartbeat or successful (re)connection was seen. */
  lastEventAt = $state<Date | null>(null);
  /**
   * The wall display sets this: when the session ends it keeps its last state (greyed) with a banner
   * and waits for a new sign-in, instead of going to the sign-in page.
   */
  stayOnSignOut = false;

  #source: EventSource | null = null;
  #subscribers = new Set<Handlers>();
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #staleTimer: ReturnType<typeof setTimeout> | null = null;
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
    this.#clearTimers();
    this.#source?.close();
    this.#source = null;
    this.#hasConnectedBefore = false;
    this.status = 'stopped';
  }

  #clearTimers(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#staleTimer) clearTimeout(this.#staleTimer);
    this.#retryTimer = null;
    this.#staleTimer = null;
  }

  /** Something arrived (or the stream opened): restart the silence countdown. */
  #heard(): void {
    this.lastEventAt = new Date();
    this.#watchForSilence();
  }

  #watchForSilence(): void {
    if (this.#staleTimer) clearTimeout(this.#staleTimer);
    this.#staleTimer = setTimeout(() => this.#onSilence(), STALE_AFTER_MS);
  }

  /** Nothing for STALE_AFTER_MS: say so, and replace the stream (the new one may get through). */
  #onSilence(): void {
    this.#staleTimer = null;
    if (!this.#source) return;
    this.status = 'stale';
    this.#source.close();
    this.#source = null;
    this.#replacesClosedStream = true;
    this.#open();
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
    // A stale stream stays "stale" until the new one hears something: it is no less stale for trying.
    if (this.status !== 'stale') this.status = this.#hasConnectedBefore ? 'reconnecting' : 'connecting';
    const source = new EventSource('/api/events', { withCredentials: true });
    this.#source = source;
    // A connection that never opens is as silent as one that stalls.
    this.#watchForSilence();

    source.onopen = () => {
      if (this.#source !== source) return;
      this.#retryDelayMs = 1000;
      this.#hasConnectedBefore = true;
      this.status = 'live';
      this.#heard();
      // A replacement EventSource carries no Last-Event-ID: anything missed while away is gone.
      if (this.#replacesClosedStream) this.#dispatch('reset', {});
      this.#replacesClosedStream = false;
    };

    source.onerror = () => {
      if (this.#source !== source) return;
      if (source.readyState === EventSource.CONNECTING) {
        // The browser reconnects by itself and resends Last-Event-ID.
        if (this.status !== 'stale') this.status = 'reconnecting';
        return;
      }
      // CLOSED: the server refused the stream. Find out whether the session is gone.
      source.close();
      this.#source = null;
      if (this.#staleTimer) clearTimeout(this.#staleTimer);
      this.#staleTimer = null;
      if (this.status !== 'stale') this.status = 'reconnecting';
      void this.#retryAfterClose();
    };

    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (ev) => {
        if (this.#source !== source) return;
        this.#heard();
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
    let signedOut = false;
    try {
      const me = await getMe();
      if (!me) {
        if (!this.stayOnSignOut) {
          this.stop();
          redirectToLogin();
          return;
        }
        signedOut = true;
      }
    } catch {
      // Server unreachable: keep retrying below.
    }
    if (this.#subscribers.size === 0) {
      this.status = 'stopped';
      return;
    }
    if (signedOut) {
      // Keep the last state on screen and look again later: someone may sign in in this browser.
      this.status = 'signed_out';
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = null;
        void this.#retryAfterClose();
      }, SIGNED_OUT_RECHECK_MS);
      return;
    }
    if (this.status === 'signed_out') this.status = 'reconnecting';
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
