/**
 * MQTT link of the agent (MQTT 3.1.1; the embedded broker does not speak 5).
 * - Persistent session: clean=false, clientId = deviceId, so QoS 1 state survives reconnects.
 * - Last Will = retained `offline` status; a retained `online` status is re-announced on every
 *   (re)connect.
 * - Scores are published only from the durable outbox and only while connected (never into the
 *   void); a window leaves the outbox when its PUBACK arrives. Unacknowledged messages of this
 *   process are re-sent by the mqtt client's own session store on reconnect; after a restart the
 *   outbox replays them in seq order.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { encodePayload, nextHeartbeatDelayMs, topics, type DeviceStatus } from '@attune/protocol';
import type { DurableOutbox } from './durable-outbox.ts';

/** Messages handed to the client but not yet acknowledged; enough to keep a link busy, bounded so a long replay stays in order and in memory. */
const MAX_IN_FLIGHT = 20;

export interface PublisherLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface MqttPublisherOptions {
  deviceId: string;
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** For a TLS url: the CA (PEM) the broker's certificate must chain to, instead of the system's CAs. */
  ca?: Buffer | undefined;
  reconnectMs: number;
  outbox: DurableOutbox;
  /** The current status (state is overwritten here). */
  status: () => Omit<DeviceStatus, 'state' | 'at'>;
  onConsentPayload: (payload: Buffer) => void;
  /** The device's remote configuration (retained; an empty payload clears it). */
  onConfigPayload: (payload: Buffer) => void;
  /** Subscribing to the config topic (each connection): a retained configuration, if the broker holds one, comes with the acknowledgement. */
  onConfigSubscribing: () => void;
  /** The config subscription was acknowledged. */
  onConfigSubscribed: () => void;
  /** The server's clock (attune/v2/server/time), for the clock offset. */
  onServerTime: (payload: Buffer) => void;
  log: PublisherLogger;
}

export class MqttPublisher {
  private client: MqttClient | null = null;
  private readonly inFlight = new Set<number>();
  private stopping = false;
  private published = 0;
  private acked = 0;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly options: MqttPublisherOptions) {}

  private statusPayload(state: 'online' | 'offline'): Buffer {
    return encodePayload('status', { ...this.options.status(), state, at: new Date().toISOString() });
  }

  start(): void {
    const o = this.options;
    const client = mqtt.connect(o.url, {
      protocolVersion: 4,
      clean: false,
      clientId: o.deviceId,
      username: o.username,
      password: o.password,
      // TLS: the broker's certificate is always verified (never rejectUnauthorized: false).
      ...(o.ca ? { ca: o.ca } : {}),
      rejectUnauthorized: true,
      reconnectPeriod: o.reconnectMs,
      connectTimeout: 10_000,
      // A broker that refuses us (e.g. restarting, ACL not yet loaded) must not stop the agent for good.
      reconnectOnConnackError: true,
      will: { topic: topics.status(o.deviceId), payload: this.statusPayload('offline'), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => {
      o.log.info('mqtt connected', { url: o.url, pending: o.outbox.size() });
      client.publish(topics.status(o.deviceId), this.statusPayload('online'), { qos: 1, retain: true });
      client.subscribe(topics.consent(o.deviceId), { qos: 1 }, (err) => {
        if (err) o.log.warn('consent subscription failed', { error: err.message });
      });
      o.onConfigSubscribing();
      client.subscribe(topics.config(o.deviceId), { qos: 1 }, (err) => {
        if (err) o.log.warn('config subscription failed', { error: err.message });
        else o.onConfigSubscribed();
      });
      client.subscribe(topics.serverTime, { qos: 0 }, (err) => {
        if (err) o.log.warn('server time subscription failed', { error: err.message });
      });
      this.pump();
    });
    client.on('message', (topic, payload) => {
      if (topic === topics.consent(o.deviceId)) o.onConsentPayload(payload);
      else if (topic === topics.config(o.deviceId)) o.onConfigPayload(payload);
      else if (topic === topics.serverTime) o.onServerTime(payload);
    });
    client.on('close', () => {
      if (!this.stopping) o.log.warn('mqtt disconnected; windows stay in the outbox', { pending: o.outbox.size() });
    });
    client.on('error', (err) => o.log.warn('mqtt error', { error: err.message }));
    // The status doubles as a heartbeat: the server knows a quiet (e.g. unconsented) agent is alive.
    // Each delay is drawn anew (nextHeartbeatDelayMs), so agents started together do not stay in step.
    const beat = () => {
      this.announce();
      this.heartbeat = setTimeout(beat, nextHeartbeatDelayMs());
    };
    this.heartbeat = setTimeout(beat, nextHeartbeatDelayMs());
  }

  isConnected(): boolean {
    return this.client?.connected === true;
  }

  /** Re-announces the retained online status (e.g. after a source changed state). */
  announce(): void {
    if (this.isConnected())
      this.client!.publish(topics.status(this.options.deviceId), this.statusPayload('online'), { qos: 1, retain: true });
  }

  /** Publishes pending outbox messages in seq order while connected. Call after every append. */
  pump(): void {
    const client = this.client;
    const { outbox, deviceId, log } = this.options;
    if (!client || !client.connected || this.stopping) return;
    for (const seq of outbox.pending()) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) break;
      if (this.inFlight.has(seq)) continue;
      let payload: Buffer;
      try {
        payload = outbox.read(seq);
      } catch {
        continue; // dropped by the bound while we iterated
      }
      this.inFlight.add(seq);
      this.published += 1;
      client.publish(topics.scores(deviceId), payload, { qos: 1 }, (err) => {
        this.inFlight.delete(seq);
        if (err) {
          // Only when the client is torn down; the window stays in the outbox for the next start.
          if (!this.stopping) log.warn('publish failed; kept in outbox', { seq, error: err.message });
          return;
        }
        this.acked += 1;
        outbox.remove(seq);
        this.pump();
      });
    }
  }

  stats() {
    return { connected: this.isConnected(), inFlight: this.inFlight.size, published: this.published, acked: this.acked };
  }

  /**
   * Graceful stop: waits (bounded) for in-flight acknowledgements, publishes the retained offline
   * status and disconnects. Anything unacknowledged stays in the outbox for the next start.
   */
  async stop(graceMs = 2000): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (this.heartbeat) clearTimeout(this.heartbeat);
    const deadline = Date.now() + graceMs;
    while (client.connected && this.inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.stopping = true;
    if (client.connected) {
      await Promise.race([
        client
          .publishAsync(topics.status(this.options.deviceId), this.statusPayload('offline'), { qos: 1, retain: true })
          .catch(() => undefined),
        new Promise((r) => setTimeout(r, Math.max(100, deadline - Date.now()))),
      ]);
    }
    // A clean DISCONNECT (so the broker does not also fire the Last Will); forced if the link is gone.
    const ended = new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
    const timedOut = await Promise.race([ended.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 1000))]);
    if (timedOut) await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
    this.client = null;
  }
}
