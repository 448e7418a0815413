/**
 * The server's MQTT edge: one persistent-session client that subscribes to every device's scores
 * and status (QoS 1), publishes retained consent messages and, every SERVER_TIME_EVERY_MS, the
 * server's clock (agents measure their clock offset from it).
 *
 * Acknowledgement after commit. A device message is acknowledged to the broker (PUBACK) only once
 * ingest has durably handled it: its window committed to the database (or refused for good), its
 * status recorded. Until then the broker keeps it in our persistent session, so a crash or a
 * `kill -9` at any moment loses nothing: the broker delivers the unacknowledged messages again
 * and (deviceId, seq) makes the second copy harmless. mqtt.js would send the PUBACK when its
 * `handleMessage` callback returns and would not read the next packet before that, which makes
 * batching impossible; so the callback is given an error (mqtt.js then sends no PUBACK and reads
 * on) and this module writes the PUBACKs itself, in the order the messages arrived (MQTT 3.1.1
 * §4.6), on the connection they arrived on. Messages of a connection that dropped are not
 * acknowledged at all: the broker sends them again on the next one.
 */
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { encodePayload, PROTOCOL_VERSION, SERVER_TIME_EVERY_MS, subscriptions, topics, type ConsentMessage } from '@attune/protocol';
import type { Logger } from '../platform/logger.ts';
import type { ConsentPublisher } from '../services/consent.service.ts';
import type { IngestService } from '../services/ingest.service.ts';

export interface MqttIngest extends ConsentPublisher {
  client: MqttClient;
  isConnected(): boolean;
  /** Messages received and not yet acknowledged, and when the last one arrived (draining a dead instance's session). */
  unacknowledged(): number;
  lastMessageAtMs(): number;
  /**
   * Several instances, on a clean stop: leave the shared group first, so the broker stops handing
   * this session messages it would hold until the instance returns (a survivor drains the rest).
   */
  leaveShareGroup(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The topics device messages arrive on. With several instances, a shared subscription in the
 * group (MQTT_SHARE_GROUP, default `attune`): the broker hands each message to one member (docs/scale-out.md).
 */
export function deviceSubscriptions(shareGroup: string | null): string[] {
  const all = [subscriptions.allScores, subscriptions.allStatus];
  return shareGroup ? all.map((topic) => `$share/${shareGroup}/${topic}`) : all;
}

/** Passed to mqtt.js's handleMessage callback: "read on, but do not acknowledge" (this module acknowledges after commit). */
class AcknowledgedAfterCommit extends Error {}
const ACK_LATER = new AcknowledgedAfterCommit('acknowledged after commit');

interface PendingAck {
  stream: unknown;
  messageId: number;
  /** null while ingest is still working on the message; true: acknowledge; false: leave it to the broker to resend. */
  durable: boolean | null;
}

export async function startMqttIngest(options: {
  url: string;
  username: string;
  password: string | undefined;
  clientId: string;
  ingest: IngestService;
  logger: Logger;
  /** Subscribe to the devices' topics. False with the embedded broker, which hands device messages to ingest in-process. */
  receiveDeviceMessages: boolean;
  /** Above this many received-but-not-yet-durable messages, stop reading from the broker until ingest catches up. */
  maxUnacknowledged: number;
  /** For an mqtts:// URL: the CA (PEM) to trust instead of the system's (MQTT_TLS_CA). */
  ca?: Buffer | undefined;
  /** Several instances: subscribe through this shared-subscription group (deviceSubscriptions). */
  shareGroup?: string | null;
  /** Publish the server's clock (not when draining another instance's session). Default true. */
  publishServerTime?: boolean;
  /** Reconnect after a lost connection. Default true; a drain of a dead instance's session gives up instead of fighting its return. */
  reconnect?: boolean;
}): Promise<MqttIngest> {
  const { logger, ingest } = options;
  const client = mqtt.connect(options.url, {
    protocolVersion: 4, // MQTT 3.1.1: the embedded broker does not speak 5
    clientId: options.clientId,
    username: options.username,
    ...(options.password !== undefined ? { password: options.password } : {}),
    clean: false, // persistent session: QoS 1 messages published while we were away are delivered on return
    reconnectPeriod: options.reconnect === false ? 0 : 1000,
    connectTimeout: 10_000,
    queueQoSZero: false,
    // mqtts: the broker's certificate is always verified (chain and host name), against MQTT_TLS_CA when given.
    ...(options.ca ? { ca: options.ca } : {}),
    rejectUnauthorized: true,
  });

  const acks: PendingAck[] = [];
  /** Writes the PUBACKs that are due, strictly in arrival order. */
  const releaseAcks = () => {
    while (acks.length > 0 && acks[0]!.durable !== null) {
      const head = acks.shift()!;
      if (head.durable && head.stream === client.stream && client.connected) {
        client.stream.write(mqttPacket.generate({ cmd: 'puback', messageId: head.messageId }, { protocolVersion: 4 }));
      }
    }
  };
  let waitingForCapacity: (() => void) | null = null;
  let lastMessageAtMs = 0;

  client.handleMessage = (packet, done) => {
    if (packet.cmd !== 'publish') return done();
    lastMessageAtMs = Date.now();
    // Broker control replies (Mosquitto dynamic security) share this session; they are not device
    // data (their 'message' event has already been emitted) and are acknowledged in turn.
    const handled = packet.topic.startsWith('$')
      ? Promise.resolve()
      : ingest.handleMessage(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
    if (packet.qos === 0 || packet.messageId === undefined) {
      // Nothing to acknowledge (devices publish QoS 1; a QoS 0 message is handled best-effort).
      void handled.catch(() => undefined);
      return done();
    }
    const entry: PendingAck = { stream: client.stream, messageId: packet.messageId, durable: null };
    acks.push(entry);
    handled
      .then(
        () => (entry.durable = true),
        () => (entry.durable = false),
      )
      .finally(() => {
        releaseAcks();
        if (waitingForCapacity && acks.length < options.maxUnacknowledged) {
          const resume = waitingForCapacity;
          waitingForCapacity = null;
          resume();
        }
      });
    // Read the next packet now, or, with too much in hand, once ingest has caught up (the broker then
    // holds the backlog in our session and TCP flow control slows it down).
    if (acks.length < options.maxUnacknowledged) done(ACK_LATER);
    else waitingForCapacity = () => done(ACK_LATER);
  };
  client.on('reconnect', () => logger.warn('MQTT reconnecting'));
  client.on('error', (error) => logger.error('MQTT error', { error: error.message }));

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      client.end(true);
      reject(new Error(`Cannot connect to the MQTT broker at ${options.url}: ${error.message}`));
    };
    client.once('error', onError);
    client.once('connect', () => {
      client.off('error', onError);
      resolve();
    });
  });
  if (options.receiveDeviceMessages) {
    await client.subscribeAsync(deviceSubscriptions(options.shareGroup ?? null), { qos: 1 });
    logger.info('MQTT ingest subscribed', { url: options.url });
  }

  // The server's clock for the agents, never retained (a retained copy would be stale on arrival).
  const publishTime = () => {
    if (!client.connected) return;
    client.publish(topics.serverTime, encodePayload('serverTime', { v: PROTOCOL_VERSION, serverTime: new Date().toISOString() }), {
      qos: 0,
      retain: false,
    });
  };
  const timeTimer = options.publishServerTime === false ? undefined : setInterval(publishTime, SERVER_TIME_EVERY_MS);
  if (timeTimer) {
    client.on('connect', publishTime);
    publishTime();
  }

  return {
    client,
    isConnected: () => client.connected,
    unacknowledged: () => acks.length,
    async leaveShareGroup() {
      if (!options.shareGroup || !client.connected) return;
      await client.unsubscribeAsync(deviceSubscriptions(options.shareGroup)).catch(() => undefined);
    },
    lastMessageAtMs: () => lastMessageAtMs,
    async publishConsent(message: ConsentMessage) {
      await client.publishAsync(topics.consent(message.deviceId), encodePayload('consent', message), { qos: 1, retain: true });
    },
    close: async () => {
      clearInterval(timeTimer);
      await client.endAsync();
    },
  };
}
