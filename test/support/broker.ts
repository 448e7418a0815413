/**
 * Device credentials on the broker. The embedded broker reads them from the database; an
 * external Mosquitto with the dynamic-security plugin gets each device provisioned by the server.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions } from 'mqtt';
import type { RunningServer } from '@attune/server';

/** A device's own MQTT connection: its credentials, clientId = deviceId, MQTT 3.1.1, clean session, no reconnecting. */
export function deviceConnectOptions(device: { deviceId: string; password: string }, extra: IClientOptions = {}): IClientOptions {
  return {
    protocolVersion: 4,
    clientId: device.deviceId,
    username: device.deviceId,
    password: device.password,
    clean: true,
    reconnectPeriod: 0,
    ...extra,
  };
}

export async function provisionBrokerDevice(server: RunningServer, deviceId: string, password: string): Promise<void> {
  await server.services.brokerAccounts?.provisionDevice(deviceId, password);
}

/** The server's identity on an external broker; each test system gets its own session (client id). */
export function externalBrokerIdentity(): Record<string, string> {
  return {
    MQTT_USERNAME: process.env.MQTT_USERNAME ?? 'attune-server',
    ...(process.env.MQTT_PASSWORD ? { MQTT_PASSWORD: process.env.MQTT_PASSWORD } : {}),
    MQTT_DYNSEC: process.env.MQTT_DYNSEC ?? 'false',
    MQTT_CLIENT_ID: `attune-test-${randomUUID().slice(0, 8)}`,
  };
}

/**
 * Ends a test server's persistent session on an external broker. The session subscribes to every
 * device's scores, so left behind it would queue every later test's messages for nobody until the
 * broker runs out of memory (the shipped configuration never drops QoS 1 messages).
 */
export async function discardBrokerSession(url: string, identity: Record<string, string>): Promise<void> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 4,
    clientId: identity.MQTT_CLIENT_ID!,
    username: identity.MQTT_USERNAME!,
    ...(identity.MQTT_PASSWORD ? { password: identity.MQTT_PASSWORD } : {}),
    clean: true,
    reconnectPeriod: 0,
  });
  await client.endAsync();
}
