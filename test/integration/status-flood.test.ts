/**
 * One device sending statuses as fast as it can (a faulty agent, or a stolen device credential
 * behind a broker with no per-client rate limit) must not stop or mask anyone else's monitoring:
 * only its latest status waits to be written (services/status-writer.ts). The embedded broker's
 * own per-client cap is lifted here so the flood reaches ingest as it would through Mosquitto.
 * How long the calm bed's windows wait during a flood is measured by `npm run bench:status-flood`,
 * not asserted here.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePayload, exampleDeviceStatus, topics } from '@attune/protocol';
import { readMetric } from '../support/metrics.ts';
import { backends, getJson, makeEpisode, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

const FLOOD_STATUSES = 3000;

describe.each(backends())('a device flooding statuses on $label', (backend) => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem({
      backend,
      beds: [{ consent: { camera: false, wearable: true } }, { consent: { camera: false, wearable: true } }],
      env: { MQTT_CLIENT_PACKETS_PER_S: '100000', MQTT_CLIENT_PACKET_BURST: '100000' },
    });
  });
  afterAll(async () => sys?.stop());

  it("opens the calm bed's distress alert while another device floods, acknowledges every status, and keeps the flood's last one", async () => {
    const [flooding, calm] = [sys.devices[0]!, sys.devices[1]!];
    const client: MqttClient = await sys.connectDevice(flooding.deviceId);
    const replacedBefore = await readMetric(sys.baseUrl, 'attune_ingest_statuses_replaced_total');
    const flood = Promise.all(
      Array.from({ length: FLOOD_STATUSES }, (_, i) =>
        client.publishAsync(
          topics.status(flooding.deviceId),
          // clockOffsetMs numbers the statuses, so the one the device row keeps can be told apart.
          encodePayload('status', { ...exampleDeviceStatus, deviceId: flooding.deviceId, at: new Date().toISOString(), clockOffsetMs: i }),
          { qos: 1, retain: true },
        ),
      ),
    );
    await sys.publishScores(
      calm.deviceId,
      makeEpisode(calm.deviceId, 1, 24, new Date(Date.now() - 1000), { distress: 0.9, confidence: 0.9 }),
    );
    const cookie = await sys.login();
    await waitFor(
      async () =>
        (
          (await getJson(sys.baseUrl, `/api/alerts?wardId=${sys.wardId}&state=open`, cookie)).alerts as { kind: string; deviceId: string }[]
        ).some((a) => a.kind === 'sustained_distress' && a.deviceId === calm.deviceId),
      "the calm bed's distress alert",
      30_000,
    );
    await flood;
    expect(client.connected).toBe(true);

    // Every status was written or replaced by a newer one of the same device, and the device row holds the last.
    const [{ rows }] = (await sys.server.db.query<{ rows: number }>(
      `select count(*)::int as rows from device_status_history where device_id = $1`,
      [flooding.deviceId],
    )) as [{ rows: number }];
    const replaced = (await readMetric(sys.baseUrl, 'attune_ingest_statuses_replaced_total')) - replacedBefore;
    console.info(`${FLOOD_STATUSES} statuses from one device on ${sys.label}: ${rows} written, ${replaced} replaced before their wave`);
    expect(rows + replaced).toBe(FLOOD_STATUSES);
    const [{ offset }] = (await sys.server.db.query<{ offset: number }>(`select clock_offset_ms::int as offset from device where id = $1`, [
      flooding.deviceId,
    ])) as [{ offset: number }];
    expect(offset).toBe(FLOOD_STATUSES - 1);
  });
});
