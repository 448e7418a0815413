/**
 * Device credentials on the broker. The embedded broker reads them from the database; an
 * external Mosquitto with the dynamic-security plugin gets each device provisioned by the server.
 */
import { randomUUID } from 'node:crypto';
import type { RunningServer } from '@attune/server';

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
