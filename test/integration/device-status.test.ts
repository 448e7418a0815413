/**
 * Device availability: a device that falls silent goes offline and, once it has been silent for
 * the configured time, raises a low-priority technical alert; the Last Will marks it offline at
 * once; when it is heard again the alert's condition clears (the alert stays for IT to resolve).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePayload, topics, type DeviceStatus } from '@attune/protocol';
import { backends, getJson, makeWindow, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

const status = (deviceId: string, state: 'online' | 'offline'): DeviceStatus => ({
  v: 2,
  deviceId,
  state,
  at: new Date().toISOString(),
  agentVersion: '0.1.0',
  models: {},
  sources: { camera: 'not_configured', wearable: 'streaming' },
  clockOffsetMs: null,
});

describe.each(backends())('device status on $label', (backend) => {
  let sys: TestSystem;
  let cookie: string;
  beforeAll(async () => {
    sys = await startTestSystem({ backend, beds: [{ consent: { camera: false, wearable: true } }], env: { DEVICE_OFFLINE_AFTER_S: '1' } });
    cookie = await sys.login('demo-it');
  });
  afterAll(async () => sys?.stop());

  const device = () => sys.devices[0]!;
  const deviceRow = async () =>
    (await getJson(sys.baseUrl, '/api/devices', cookie)).devices.find((d: { id: string }) => d.id === device().deviceId);
  const offlineAlert = async () =>
    (await getJson(sys.baseUrl, `/api/alerts?wardId=${sys.wardId}`, cookie)).alerts.find(
      (a: { kind: string; deviceId: string }) => a.kind === 'device_offline' && a.deviceId === device().deviceId,
    );

  it('marks a device offline on an offline status (what its Last Will publishes), raises a low-priority alert after the silence period, and clears it when the device is back', async () => {
    const d = device();
    const client = await sys.connectDevice(d.deviceId);
    await client.publishAsync(topics.status(d.deviceId), encodePayload('status', status(d.deviceId, 'online')), { qos: 1, retain: true });
    await waitFor(async () => (await deviceRow())?.state === 'online', 'the device to be online');

    await client.publishAsync(topics.status(d.deviceId), encodePayload('status', status(d.deviceId, 'offline')), { qos: 1, retain: true });
    await client.endAsync();
    await waitFor(async () => (await deviceRow())?.state === 'offline', 'the device to be offline');
    const alert = await waitFor(offlineAlert, 'the offline alert', 15_000);
    expect(alert).toMatchObject({ category: 'technical', priority: 'low', state: 'firing', conditionActive: true });
    expect(alert.explanation.summary).toContain(d.deviceId);

    await sys.publishScores(d.deviceId, [makeWindow(d.deviceId, 1, new Date(), { distress: 0.2, confidence: 0.9 })]);
    await waitFor(async () => (await offlineAlert())?.conditionActive === false, 'the offline condition to clear', 10_000);
    expect((await deviceRow()).state).toBe('online');
  });
});
