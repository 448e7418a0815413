/** Server-Sent Events: board and alert changes within a second, resumable with Last-Event-ID. */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { HeartbeatEvent } from '@attune/protocol/api';
import type { Metrics } from '../platform/metrics.ts';
import type { LiveEvent, LiveEvents } from '../platform/live-events.ts';
import type { Logger } from '../platform/logger.ts';
import type { UserRepository, UserRow } from '../repositories/user.repository.ts';
import { requireRole, sessionTokenHash } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { liveEventFor } from '../http/ward-access.ts';

/**
 * Every open stream gets `event: heartbeat` this often, whatever else it carries (except while
 * the instances cannot hear each other). The board marks
 * itself stale after 25 s without one (two missed beats and some slack), so a stream frozen behind
 * a proxy never looks live. Heartbeats have no id: they are never replayed, and a client's
 * Last-Event-ID stays the last real event's.
 */
const HEARTBEAT_MS = 10_000;
/**
 * How often an open stream re-reads its session: a deactivated user, a reset password or a signed
 * out session closes the stream within this time, and changed wards or role apply to it.
 */
const SESSION_RECHECK_MS = 15_000;

export function eventRoutes(deps: { live: LiveEvents; metrics: Metrics; users: UserRepository; logger: Logger }) {
  const app = new Hono<AppEnv>();
  app.use(requireRole('nurse', 'charge_nurse', 'it_admin'));

  app.get('/', (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    const tokenHash = sessionTokenHash(c) ?? '';
    let user: UserRow = c.get('user');
    return streamSSE(c, async (stream) => {
      const queue: LiveEvent[] = [];
      let wake: (() => void) | null = null;
      // Filtered here, on the server: a browser never receives another ward's events.
      const unsubscribe = deps.live.subscribe((event) => {
        const visible = liveEventFor(user, event);
        if (!visible) return;
        queue.push(visible);
        wake?.();
      });
      let sessionCheckedAtMs = Date.now();
      /** False when the session has ended; a database error keeps the stream (a hiccup must not blank every board). */
      const sessionStillValid = async (): Promise<boolean> => {
        if (Date.now() - sessionCheckedAtMs < SESSION_RECHECK_MS) return true;
        sessionCheckedAtMs = Date.now();
        try {
          const current = await deps.users.findSessionUser(tokenHash, new Date());
          if (!current || current.mustChangePassword) return false;
          user = current;
          return true;
        } catch (error) {
          deps.logger.warn('live stream: session re-check failed, stream kept', { error: String(error) });
          return true;
        }
      };
      deps.metrics.sseClients.set({}, deps.live.clientCount);
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });

      const lastEventId = Number(c.req.header('Last-Event-ID') ?? NaN);
      if (Number.isFinite(lastEventId)) {
        const missed = deps.live.since(lastEventId);
        if (missed === null) queue.unshift({ id: lastEventId, type: 'reset', wardId: null, data: {} });
        else {
          const visible = missed.map((m) => liveEventFor(user, m)).filter((m): m is LiveEvent => m !== null);
          queue.unshift(...visible.filter((m) => !queue.some((q) => q.id === m.id)));
        }
      }
      await stream.write(': connected\n\n');
      let nextHeartbeatAtMs = Date.now() + HEARTBEAT_MS;
      try {
        while (!closed) {
          if (!(await sessionStillValid())) break;
          while (queue.length > 0 && !closed) {
            const event = queue.shift()!;
            // A reset after a cluster-bus outage has no id (-1): the client's Last-Event-ID stays its last real event's.
            const id = event.id >= 0 ? { id: String(event.id) } : {};
            await stream.writeSSE({ ...id, event: event.type, data: JSON.stringify(event.data) });
          }
          if (closed) break;
          const waitMs = nextHeartbeatAtMs - Date.now();
          if (waitMs > 0) {
            let timer: NodeJS.Timeout | undefined;
            await new Promise<void>((resolve) => {
              wake = resolve;
              timer = setTimeout(resolve, waitMs);
            });
            clearTimeout(timer);
            wake = null;
          }
          // No heartbeat while this instance cannot hear the others (several instances): the board
          // then goes stale and says so, instead of looking live while other instances' events are missing.
          if (!closed && Date.now() >= nextHeartbeatAtMs) {
            const beat: HeartbeatEvent = { at: new Date().toISOString() };
            if (deps.live.isHealthy()) await stream.writeSSE({ event: 'heartbeat', data: JSON.stringify(beat) });
            nextHeartbeatAtMs = Date.now() + HEARTBEAT_MS;
          }
        }
      } finally {
        unsubscribe();
        deps.metrics.sseClients.set({}, deps.live.clientCount);
      }
    });
  });
  return app;
}
