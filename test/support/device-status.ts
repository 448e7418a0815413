/**
 * Status messages as a bedside agent publishes them (retained, QoS 1, with its own credentials),
 * for tests of the fleet page: the health fields newer agents report are set by the test.
 */
import { encodePayload, PROTOCOL_VERSION, topics, type DeviceStatus } from '@attune/protocol';
import type { Json } from './api.ts';
import { getJson, waitFor, type TestSystem } from './system.ts';

/** A valid online status of `deviceId` written now, with `over` on top. */
export function deviceStatus(deviceId: string, over: Partial<DeviceStatus> = {}): DeviceStatus {
  return {
    v: PROTOCOL_VERSION,
    deviceId,
    state: 'online',
    at: new Date().toISOString(),
    agentVersion: '0.4.1',
    models: {},
    sources: { camera: 'streaming', wearable: 'streaming' },
    clockOffsetMs: 0,
    ...over,
  };
}

/**
 * Publishes the statuses in order as the device and waits until the server has stored all of
 * them (the device's history, read as IT, holds that many more): statuses are stored one by one.
 */
export async function publishStatuses(sys: TestSystem, itCookie: string, statuses: DeviceStatus[]): Promise<void> {
  const deviceId = statuses[0]?.deviceId;
  if (!deviceId) return;
  const stored = async (): Promise<number> =>
    ((await getJson(sys.baseUrl, `/api/devices/${deviceId}?limit=500`, itCookie)) as Json).history.length;
  const before = await stored();
  const client = await sys.connectDevice(deviceId);
  for (const s of statuses) {
    await client.publishAsync(topics.status(deviceId), encodePayload('status', s), { qos: 1, retain: true });
  }
  await client.endAsync();
  await waitFor(async () => (await stored()) >= before + statuses.length, `${statuses.length} statuses of ${deviceId} to be stored`);
}
