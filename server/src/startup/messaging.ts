import type { DeviceRepository } from '../repositories/device.repository.ts';
import { createDeviceAuthenticator } from '../broker/device-authenticator.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../broker/embedded-broker.ts';
import { createDynsecAccounts, type BrokerAccounts } from '../broker/mosquitto-dynsec.ts';
import { readBrokerTls, readTrustedCa } from '../broker/tls-files.ts';
import { startMqttIngest, type MqttIngest } from '../ingest/mqtt-ingest.ts';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import { randomSecret } from '../security/passwords.ts';
import type { IngestService } from '../services/ingest.service.ts';
import type { StopStack } from './stop-stack.ts';

export interface Messaging {
  /** The embedded broker, null when MQTT_URL names an external one. */
  broker: EmbeddedBroker | null;
  mqttUrl: string;
  /** The server's own MQTT session: ingest from an external broker, retained consent out. */
  mqttIngest: MqttIngest;
  /** Device accounts on an external Mosquitto (dynamic security); null otherwise (the embedded broker reads them from the database). */
  brokerAccounts: BrokerAccounts | null;
}

/**
 * The server's MQTT client id: MQTT_CLIENT_ID (or MQTT_USERNAME), with several instances followed
 * by the instance's id, so each instance has a persistent session of its own.
 */
export function serverClientId(config: Config, instanceId: string | undefined): string {
  const base = config.MQTT_CLIENT_ID ?? config.MQTT_USERNAME;
  return instanceId ? `${base}-${instanceId}` : base;
}

/** Enough for two batches in flight and one being filled (see deploy/mosquitto/attune.conf). */
export function maxUnacknowledged(config: Config): number {
  return Math.max(1000, 4 * config.INGEST_BATCH_MAX_ROWS);
}

/**
 * The broker (embedded unless MQTT_URL names one) and the server's session on it. The embedded
 * broker hands device messages to ingest in-process and acknowledges them only once they are durable.
 */
export async function startMessaging(
  config: Config,
  deps: { devices: DeviceRepository; ingest: IngestService; metrics: Metrics; logger: Logger },
  stops: StopStack,
): Promise<Messaging> {
  const { devices, ingest, metrics, logger } = deps;
  let broker: EmbeddedBroker | null = null;
  let mqttUrl = config.MQTT_URL;
  let serverMqttPassword = config.MQTT_PASSWORD;
  if (!mqttUrl) {
    serverMqttPassword = randomSecret();
    const embedded = await startEmbeddedBroker({
      port: config.MQTT_PORT,
      server: { username: config.MQTT_USERNAME, password: serverMqttPassword },
      devices: createDeviceAuthenticator(devices),
      deviceMessages: (topic, payload) => ingest.handleMessage(topic, payload),
      logger,
      limits: {
        maxPacketBytes: config.MQTT_MAX_PACKET_BYTES,
        connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_S * 1000,
        packetsPerSecond: config.MQTT_CLIENT_PACKETS_PER_S,
        packetBurst: config.MQTT_CLIENT_PACKET_BURST,
      },
      onLimit: (limit) => metrics.brokerLimited.inc({ limit }),
      tls: readBrokerTls(config, logger) ?? undefined,
    });
    stops.push(() => embedded.close());
    broker = embedded;
    mqttUrl = embedded.url;
  }

  const mqttIngest = await startMqttIngest({
    url: mqttUrl,
    username: config.MQTT_USERNAME,
    password: serverMqttPassword,
    clientId: serverClientId(config, config.ATTUNE_INSTANCE_ID),
    ingest,
    logger,
    receiveDeviceMessages: broker === null,
    ca: readTrustedCa(config),
    maxUnacknowledged: maxUnacknowledged(config),
    shareGroup: config.ATTUNE_INSTANCE_ID ? config.MQTT_SHARE_GROUP : null,
  });
  // Write what is pending while still connected, so its acknowledgements go out, then disconnect.
  stops.push(async () => {
    await mqttIngest.leaveShareGroup();
    await ingest.close();
    await mqttIngest.close();
  });

  const brokerAccounts =
    config.MQTT_URL && config.MQTT_DYNSEC ? await createDynsecAccounts(mqttIngest.client, config.MQTT_USERNAME, logger) : null;
  return { broker, mqttUrl, mqttIngest, brokerAccounts };
}
