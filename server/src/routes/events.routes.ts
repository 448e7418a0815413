/** Server-Sent Events: board and alert changes within a second, resumable with Last-Event-ID. */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Metrics } from '../metrics.ts';
import type { LiveEvent, LiveEvents } from '../services/live-events.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';

const HEARTBEAT_MS = 15_000;

export function eventRoutes(deps: { live: LiveEvents; metrics: Metrics }) {
  const app = new Hono<AppEnv>();
  app.use(requireRole('nurse', 'charge_nurse', 'it_admin'));

  app.get('/', (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const queue: LiveEvent[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = deps.live.subscribe((event) => {
        queue.push(event);
        wake?.();
      });
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
        else queue.unshift(...missed.filter((m) => !queue.some((q) => q.id === m.id)));
      }
      await stream.write(': connected\n\n');
      try {
        while (!closed) {
          while (queue.length > 0 && !closed) {
            const event = queue.shift()!;
            await stream.writeSSE({ id: String(event.id), event: event.type, data: JSON.stringify(event.data) });
          }
          if (closed) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, HEARTBEAT_MS);
          });
          wake = null;
          if (queue.length === 0 && !closed) await stream.write(': heartbeat\n\n');
        }
      } finally {
        unsubscribe();
        deps.metrics.sseClients.set({}, deps.live.clientCount);
      }
    });
  });
  return app;
}
