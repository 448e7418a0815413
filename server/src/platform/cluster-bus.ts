/**
 * What several server instances tell each other, over PostgreSQL LISTEN/NOTIFY (docs/scale-out.md).
 * PostgreSQL is already the one thing every instance shares, and it delivers notifications to every
 * listener in commit order, so all instances see the same sequence.
 *
 * Two channels: `attune_live` carries live (SSE) events, numbered by a database sequence so every
 * instance's stream has the same ids and a browser can resume on any instance with Last-Event-ID;
 * `attune_cluster` carries coordination messages (windows stored for a ward, caches to drop, rule
 * state to reset).
 *
 * Loud, never silent: NOTIFY is lost while a listener is disconnected. Each instance pings itself
 * through the database every PING_EVERY_MS; while its own ping has not come back for
 * UNHEALTHY_AFTER_MS the bus counts as down (`/readyz` fails, caches are bypassed), and when pings
 * arrive again every `onRecovered` handler runs (caches dropped, SSE clients told to reload, owned
 * wards re-read from the database), because something may have been missed meanwhile. A message
 * that could not be sent counts the same: the bus is down until this instance hears itself again.
 * The log says when it went down, then once a minute how long and how many failures, then when it
 * is back: an outage of the database must not bury the rest of the log under a line every ping.
 */
import type { Database } from '@attune/db';
import type { LiveEventPayloads, LiveEventType } from '@attune/protocol/api';
import { failureLog } from './failure-log.ts';
import type { Logger } from './logger.ts';

const LIVE_CHANNEL = 'attune_live';
const CLUSTER_CHANNEL = 'attune_cluster';
/** NOTIFY payloads must stay under 8000 bytes; larger live events travel by reference. */
const MAX_INLINE_PAYLOAD_BYTES = 7000;
const PING_EVERY_MS = 2000;
const UNHEALTHY_AFTER_MS = 6000;
/** Live events kept for reference delivery; a listener reads them within milliseconds. */
const PAYLOAD_KEEP_MIN = 10;

export type ClusterMessage =
  | { type: 'windows'; wardId: string; stayIds: string[]; fromWindowEndMs: number; toWindowEndMs: number }
  | { type: 'device_contexts_changed' }
  | { type: 'alert_resolved'; stayId: string; kind: string }
  | { type: 'sensitivity_changed'; stayId: string }
  | { type: 'stay_forgotten'; stayId: string }
  | { type: 'ping'; n: number };

type Envelope = ClusterMessage & { from: string };

/** A live event before it has an id. */
export interface LiveEventDraft {
  type: LiveEventType;
  wardId: string | null;
  data: LiveEventPayloads[LiveEventType];
}

export interface ClusterBus {
  readonly instanceId: string;
  /** Sends a coordination message to every instance (this one included). */
  send(message: ClusterMessage): void;
  on<T extends ClusterMessage['type']>(type: T, handler: (message: Extract<ClusterMessage, { type: T }>, from: string) => void): void;
  /** Numbers a live event and sends it to every instance (this one included), in this instance's order. */
  sendLive(event: LiveEventDraft): void;
  onLive(handler: (event: LiveEventDraft & { id: number }) => void): void;
  /** After an outage of the bus: anything may have been missed. */
  onRecovered(handler: () => void): void;
  /** Null while healthy; in words otherwise (readiness). */
  problem(): string | null;
  isHealthy(): boolean;
  close(): Promise<void>;
}

export async function startClusterBus(db: Database, instanceId: string, logger: Logger): Promise<ClusterBus> {
  if (!db.listen) throw new Error('several server instances need PostgreSQL (DATABASE_URL): PGlite cannot share its database');
  const handlers = new Map<string, ((message: never, from: string) => void)[]>();
  const liveHandlers: ((event: LiveEventDraft & { id: number }) => void)[] = [];
  const recoveredHandlers: (() => void)[] = [];
  let lastPingBackMs = Date.now();
  let healthy = true;
  let pingCount = 0;
  let sendChain: Promise<unknown> = Promise.resolve();
  let closed = false;
  const outageLog = failureLog(logger, 'cluster bus down: instances may miss each other until this one hears itself again');

  const dispatch = (message: Envelope) => {
    for (const handler of handlers.get(message.type) ?? []) {
      try {
        handler(message as never, message.from);
      } catch (error) {
        logger.error('cluster message handler failed', { type: message.type, error: String(error) });
      }
    }
  };

  const onCluster = (payload: string) => {
    let message: Envelope;
    try {
      message = JSON.parse(payload) as Envelope;
    } catch {
      return logger.error('cluster message is not JSON; ignored', { bytes: payload.length });
    }
    if (message.type === 'ping') {
      if (message.from === instanceId) lastPingBackMs = Date.now();
      return;
    }
    dispatch(message);
  };

  /** Something was lost (not sent, not received): down until this instance hears itself again, then recovered. */
  const lost = (what: string, { error, ...detail }: { error?: string } & Record<string, unknown>) => {
    lastPingBackMs = 0;
    healthy = false;
    // What was lost and the database's own words, in one (the failure log keeps the latest).
    outageLog.failed(error === undefined ? what : `${what}: ${error}`, detail);
  };

  // Delivered strictly in notification order, so every instance's buffer holds the same sequence
  // (an event sent by reference waits for its payload; the ones after it wait for it).
  let deliveries: Promise<void> = Promise.resolve();
  const onLivePayload = (payload: string) => {
    deliveries = deliveries.then(async () => {
      try {
        const parsed = JSON.parse(payload) as { id: number; ref?: true } & Partial<LiveEventDraft>;
        let event = parsed as LiveEventDraft & { id: number };
        if (parsed.ref) {
          const rows = await db.query<{ data: LiveEventDraft }>('select data from live_event_payload where id = $1', [parsed.id]);
          if (!rows[0]) return lost('live event payload missing', { id: parsed.id });
          event = { ...rows[0].data, id: parsed.id };
        }
        for (const handler of liveHandlers) handler(event);
      } catch (error) {
        lost('live event from another instance not delivered', { error: String(error) });
      }
    });
  };

  // Listening (again): the first time at start, later after the listening connection was lost.
  let listens = 0;
  const onListen = () => {
    listens += 1;
    if (listens > 2) logger.warn('cluster bus listening again after a lost connection');
  };
  const cluster = await db.listen(CLUSTER_CHANNEL, onCluster, onListen);
  const live = await db.listen(LIVE_CHANNEL, onLivePayload, onListen);

  const notify = (channel: string, payload: string) => db.query('select pg_notify($1, $2)', [channel, payload]);
  const send = (message: ClusterMessage) => {
    sendChain = sendChain
      .then(() => notify(CLUSTER_CHANNEL, JSON.stringify({ ...message, from: instanceId })))
      .catch((error: unknown) => lost('cluster message not sent', { type: message.type, error: String(error) }));
  };

  const pingTimer = setInterval(() => {
    if (closed) return;
    send({ type: 'ping', n: ++pingCount });
    const backRecently = Date.now() - lastPingBackMs < UNHEALTHY_AFTER_MS;
    if (!backRecently) {
      healthy = false;
      outageLog.failed('this instance no longer hears itself through PostgreSQL');
    } else if (!healthy) {
      healthy = true;
      outageLog.succeeded();
      logger.warn('cluster bus back: dropping caches and re-reading owned wards', {});
      for (const handler of recoveredHandlers) handler();
    }
  }, PING_EVERY_MS);

  return {
    instanceId,
    send,
    on(type, handler) {
      handlers.set(type, [...(handlers.get(type) ?? []), handler as (message: never, from: string) => void]);
    },
    sendLive(event) {
      sendChain = sendChain
        .then(async () => {
          const json = JSON.stringify(event);
          // One round trip: number the event and notify with the number spliced in (ids are at most 19 digits).
          if (Buffer.byteLength(json) + 30 <= MAX_INLINE_PAYLOAD_BYTES) {
            return db.query(
              `with n as (select nextval('live_event_id_seq') as id)
               select pg_notify($1, '{"id":' || n.id || ',' || substr($2, 2)) from n`,
              [LIVE_CHANNEL, json],
            );
          }
          const [{ id }] = (await db.query<{ id: string }>(
            `with kept as (delete from live_event_payload where created_at < now() - interval '${PAYLOAD_KEEP_MIN} minutes')
             insert into live_event_payload (id, data) values (nextval('live_event_id_seq'), $1) returning id::text`,
            [json],
          )) as [{ id: string }];
          return notify(LIVE_CHANNEL, JSON.stringify({ id: Number(id), ref: true }));
        })
        .catch((error: unknown) => lost('live event not sent to the other instances', { type: event.type, error: String(error) }));
    },
    onLive(handler) {
      liveHandlers.push(handler);
    },
    onRecovered(handler) {
      recoveredHandlers.push(handler);
    },
    problem: () => (healthy ? null : `instances cannot hear each other: no message through PostgreSQL for ${UNHEALTHY_AFTER_MS / 1000} s`),
    isHealthy: () => healthy,
    async close() {
      closed = true;
      clearInterval(pingTimer);
      await sendChain;
      await cluster.unlisten().catch(() => undefined);
      await live.unlisten().catch(() => undefined);
    },
  };
}
