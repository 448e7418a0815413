/**
 * The server's MQTT edge: one persistent-session client that subscribes to every device's
 * scores and status (QoS 1) and publishes retained consent messages.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { encodePayload, subscriptions, topics, type ConsentMessage } from '@attune/protocol';
import type { Logger } from '../logger.ts';
import type { ConsentPublisher } from '../services/consent.service.ts';
import type { IngestService } from '../services/ingest.service.ts';

export interface MqttIngest extends ConsentPublisher {
  client: MqttClient;
  isConnected(): boolean;
  close(): Promise<void>;
}

export async function startMqttIngest(options: {
  url: string;
  username: string;
  password: string | undefined;
  clientId: string;
  ingest: IngestService;
  logger: Logger;
}): Promise<MqttIngest> {
  const { logger, ingest } = options;
  const client = mqtt.connect(options.url, {
    protocolVersion: 4, // MQTT 3.1.1: the embedded broker does not speak 5
    clientId: options.clientId,
    username: options.username,
    ...(options.password !== undefined ? { password: options.password } : {}),
    clean: false, // persistent session: QoS 1 messages published while we were away are delivered on return
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    queueQoSZero: false,
  });
  // mqtt.js sends the PUBACK when handleMessage calls back: only once ingest has checked the
  // message and queued it (or refused it). So when writes fall behind, acknowledgements slow
  // down and the broker, not this process, holds the backlog for our persistent session.
  client.handleMessage = (packet, done) => {
    // Broker control replies (Mosquitto dynamic security) share this session; they are not device data.
    if (packet.cmd !== 'publish' || packet.topic.startsWith('$')) return done();
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    ingest.handleMessage(packet.topic, payload).then(() => done(), done);
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
  await client.subscribeAsync([subscriptions.allScores, subscriptions.allStatus], { qos: 1 });
  logger.info('MQTT ingest subscribed', { url: options.url });

  return {
    client,
    isConnected: () => client.connected,
    async publishConsent(message: ConsentMessage) {
      await client.publishAsync(topics.consent(message.deviceId), encodePayload('consent', message), { qos: 1, retain: true });
    },
    close: () => client.endAsync(),
  };
}
