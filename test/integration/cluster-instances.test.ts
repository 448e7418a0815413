/**
 * Two server instances in this process, on one PostgreSQL and one Mosquitto (docs/scale-out.md):
 * what one instance changes, the other's clients and caches see. Needs PostgreSQL and Mosquitto;
 * skipped loudly without them. (The failover test, cluster-failover.test.ts, kills an instance.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, startServer, type RunningServer } from '@attune/server';
import { readMetric } from '../support/metrics.ts';
import { openSse, type SseClient } from '../support/sse.ts';
import { makeWindow, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';
import { encodePayload, topics } from '@attune/protocol';

const { DATABASE_URL, MQTT_URL } = process.env;
const ready = Boolean(DATABASE_URL && MQTT_URL);
if (!ready) console.warn('SKIPPED: two-instance tests need PostgreSQL and Mosquitto (set DATABASE_URL and MQTT_URL; CI does).');

describe.skipIf(!ready)('two instances sharing one database and broker', () => {
  const group = `attune-pair-${Date.now().toString(36)}`;
  let a: TestSystem;
  let b: RunningServer;
  let bUrl: string;
  const streams: SseClient[] = [];

  beforeAll(async () => {
    a = await startTestSystem({
      backend: { label: 'PostgreSQL + Mosquitto', databaseUrl: DATABASE_URL, mqttUrl: MQTT_URL },
      beds: Array.from({ length: 4 }, () => ({ consent: { camera: false, wearable: true } })),
      env: { ATTUNE_INSTANCE_ID: 'a', MQTT_SHARE_GROUP: group },
    });
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      ATTUNE_DATA_DIR: `${a.server.dataDir}-b`,
      LOG_LEVEL: 'error',
      NODE_ENV: 'test',
      DATABASE_URL: a.server.databaseUrl!,
      MQTT_URL: MQTT_URL!,
      MQTT_USERNAME: process.env.MQTT_USERNAME ?? 'attune-server',
      ...(process.env.MQTT_PASSWORD ? { MQTT_PASSWORD: process.env.MQTT_PASSWORD } : {}),
      MQTT_CLIENT_ID: `attune-test-pair-${group}`,
      ATTUNE_INSTANCE_ID: 'b',
      MQTT_SHARE_GROUP: group,
    });
    b = await startServer(config, { logger: createLogger('error') });
    bUrl = b.url.replace('localhost', '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    streams.forEach((s) => s.close());
    await b?.stop();
    await a?.stop();
  });

  const loginTo = async (baseUrl: string) => {
    const res = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl },
      body: JSON.stringify({ username: 'demo-nurse', password: 'demo-nurse' }),
    });
    expect(res.status).toBe(200);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  };

  it('shares the ward: one instance evaluates it, and both say ready', async () => {
    const holders = await a.server.db.query<{ holder: string }>(`select holder from lease where name = $1 and expires_at > now()`, [
      `ward:${a.wardId}`,
    ]);
    expect(holders.map((h) => h.holder)).toHaveLength(1);
    for (const url of [a.baseUrl, bUrl]) expect((await fetch(`${url}/readyz`)).status).toBe(200);
    // Each instance says how many wards it evaluates; together, the one ward once.
    await waitFor(
      async () =>
        (await readMetric(a.baseUrl, 'attune_wards_evaluated')) + (await readMetric(bUrl, 'attune_wards_evaluated')) === 1 &&
        (await readMetric(bUrl, 'attune_cluster_bus_healthy')) === 1,
      'both instances to report their wards and a healthy bus',
      15_000,
    );
  });

  it('delivers a change made through one instance to streams on both, with the same ids, and resumes on the other instance', async () => {
    const cookieA = await loginTo(a.baseUrl);
    const cookieB = await loginTo(bUrl);
    const onA = await openSse(`${a.baseUrl}/api/events`, cookieA);
    const onB = await openSse(`${bUrl}/api/events`, cookieB);
    streams.push(onA, onB);
    const [first, second, third] = a.devices.filter((d) => d.stayId);
    const discharge = async (stayId: string) => {
      const staffId = (await b.repositories.users.findByUsername('demo-charge'))!.id;
      await b.services.stays.discharge(stayId, staffId, new Date());
    };
    await discharge(first!.stayId!);
    const isDischarge = (stayId: string) => (e: { event: string; data: unknown }) =>
      e.event === 'stay' && (e.data as { stayId: string; change: string }).stayId === stayId;
    const seenA = await onA.waitFor(isDischarge(first!.stayId!), 'the discharge on instance A');
    const seenB = await onB.waitFor(isDischarge(first!.stayId!), 'the discharge on instance B');
    expect(seenA.id).toBe(seenB.id);

    // A browser on A loses its connection, two more changes happen, and it comes back through B.
    onA.close();
    await discharge(second!.stayId!);
    await discharge(third!.stayId!);
    await onB.waitFor(isDischarge(third!.stayId!), 'the third discharge on instance B');
    const resumed = await openSse(`${bUrl}/api/events`, cookieB, seenA.id!);
    streams.push(resumed);
    await resumed.waitFor(isDischarge(third!.stayId!), 'the missed discharges replayed by instance B');
    expect(resumed.events.some((e) => e.event === 'reset')).toBe(false);
    expect(resumed.events.filter((e) => e.event === 'stay').map((e) => (e.data as { stayId: string }).stayId)).toEqual(
      expect.arrayContaining([second!.stayId, third!.stayId]),
    );
  });

  it('refuses windows on both instances at once when consent is withdrawn through one of them', async () => {
    const device = a.devices.filter((d) => d.stayId).at(-1)!;
    const windowAt = (seq: number) =>
      encodePayload('scores', makeWindow(device.deviceId, seq, new Date(), { distress: 0.2, confidence: 0.9 }));
    // Both instances have the device's consent cached after storing a window each.
    await a.server.services.ingest.handleMessage(topics.scores(device.deviceId), windowAt(1));
    await b.services.ingest.handleMessage(topics.scores(device.deviceId), windowAt(2));
    const stored = async () =>
      (await a.server.db.query<{ seq: number }>('select seq::float8 as seq from score_window where device_id = $1', [device.deviceId])).map(
        (r) => r.seq,
      );
    await waitFor(async () => (await stored()).length === 2, 'both windows stored');

    await b.services.consent.record(device.stayId!, { camera: false, wearable: false, actorKind: 'patient', language: 'en' }, new Date());
    await new Promise((r) => setTimeout(r, 300)); // the change travels through PostgreSQL NOTIFY
    await a.server.services.ingest.handleMessage(topics.scores(device.deviceId), windowAt(3));
    await a.server.services.ingest.drain();
    expect(await stored()).toEqual([1, 2]);
  });
});
