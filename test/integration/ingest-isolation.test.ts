/**
 * One device's bad input never stops, masks or delays anyone else's monitoring: a window the
 * database refuses is isolated and refused alone, and windows from the future or from long ago are
 * refused at the door, on the embedded defaults and (in CI) on PostgreSQL + Mosquitto.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePayload, topics, type ScoreWindow } from '@attune/protocol';
import { readMetric } from '../support/metrics.ts';
import { backends, getJson, makeEpisode, makeWindow, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

const DEVICES = 50;
const WINDOWS_PER_DEVICE = 20;
/** The seq the database is made to refuse (a real CHECK constraint, so the real error path runs). */
const POISON_SEQ = 4242;

describe.each(backends())('ingest isolation on $label', (backend) => {
  let sys: TestSystem;
  let cookie: string;
  const rejected = (reason: string) => readMetric(sys.baseUrl, 'attune_ingest_rejected_total', { reason });
  const stored = async (where = 'true', params: unknown[] = []) =>
    Number((await sys.server.db.query<{ n: number }>(`select count(*)::int as n from score_window where ${where}`, params))[0]!.n);
  const openAlerts = async () =>
    (await getJson(sys.baseUrl, `/api/alerts?wardId=${sys.wardId}`, cookie)).alerts as { kind: string; stayId: string }[];

  beforeAll(async () => {
    sys = await startTestSystem({
      backend,
      // 50 devices for the poison test, two more for the other tests.
      beds: Array.from({ length: DEVICES + 2 }, () => ({ consent: { camera: false, wearable: true } })),
    });
    cookie = await sys.login();
  });
  afterAll(async () => sys?.stop());

  it("stores 999 of 1,000 windows from 50 devices when the database refuses one, and the others' alerts still open", async () => {
    await sys.server.db.query(`alter table score_window add constraint attune_test_poison check (seq <> ${POISON_SEQ})`);
    const retriesBefore = await readMetric(sys.baseUrl, 'attune_ingest_db_retries_total', { step: 'insert' });
    const now = Date.now();
    const poisoned = sys.devices[7]!;
    // Ten devices go through a distress episode (20 windows of 0.9 over 100 s): each must alert.
    const episodes = new Set(sys.devices.slice(0, 10).map((d) => d.deviceId));
    const windowsOf = (deviceId: string): ScoreWindow[] => {
      const firstSeq = deviceId === poisoned.deviceId ? POISON_SEQ - 10 : 1;
      const episode = makeEpisode(deviceId, firstSeq, WINDOWS_PER_DEVICE, new Date(now - 1000), {
        distress: episodes.has(deviceId) ? 0.9 : 0.2,
        confidence: 0.9,
      });
      return episode;
    };
    const fifty = sys.devices.slice(0, DEVICES);
    const clients = await Promise.all(fifty.map((d) => sys.connectDevice(d.deviceId)));
    await Promise.all(
      clients.map((client, i) =>
        Promise.all(
          windowsOf(fifty[i]!.deviceId).map((w) => client.publishAsync(topics.scores(w.deviceId), encodePayload('scores', w), { qos: 1 })),
        ),
      ),
    );
    await waitFor(async () => (await stored()) === DEVICES * WINDOWS_PER_DEVICE - 1, '999 windows to be stored', 30_000);
    expect(await stored('device_id = $1 and seq = $2', [poisoned.deviceId, POISON_SEQ])).toBe(0);
    expect(await stored('device_id = $1', [poisoned.deviceId])).toBe(WINDOWS_PER_DEVICE - 1);
    expect(await rejected('storage_refused')).toBe(1);
    // Refused for its data, never retried: nobody waited behind it.
    expect(await readMetric(sys.baseUrl, 'attune_ingest_db_retries_total', { step: 'insert' })).toBe(retriesBefore);
    await waitFor(
      async () => {
        const alerts = await openAlerts();
        return sys.devices.slice(0, 10).every((d) => alerts.some((a) => a.kind === 'sustained_distress' && a.stayId === d.stayId));
      },
      'a distress alert for each of the ten episodes',
      10_000,
    );
    await sys.server.db.query(`alter table score_window drop constraint attune_test_poison`);
  });

  it('refuses a window from the future or from long ago at the door; the board and the alert rule never see it', async () => {
    const device = sys.devices[DEVICES]!;
    const board = async () =>
      (await getJson(sys.baseUrl, `/api/wards/${sys.wardId}/board`, cookie)).beds.find((b: { bedId: string }) => b.bedId === device.bedId);
    const future = makeWindow(device.deviceId, 1, new Date('2099-01-01T00:00:05Z'), { distress: 0.95, confidence: 0.9 });
    const aheadByOneHour = makeWindow(device.deviceId, 2, new Date(Date.now() + 3600_000), { distress: 0.95, confidence: 0.9 });
    const dayOld = makeWindow(device.deviceId, 3, new Date(Date.now() - 25 * 3600_000), { distress: 0.95, confidence: 0.9 });
    const [futureBefore, staleBefore] = [await rejected('future_window'), await rejected('stale_window')];
    await sys.publishScores(device.deviceId, [future, aheadByOneHour, dayOld]);
    await waitFor(async () => (await rejected('future_window')) === futureBefore + 2, 'two future windows refused');
    await waitFor(async () => (await rejected('stale_window')) === staleBefore + 1, 'the day-old window refused');
    expect(await stored('device_id = $1', [device.deviceId])).toBe(0);
    expect((await board()).latest).toBeNull();

    // Within the allowed skew a clock slightly ahead is fine, and the alert rule opens as usual:
    // 15 windows of distress (enough evidence for the default rule), the device clock 60 s ahead of the server's.
    const ahead = makeEpisode(device.deviceId, 10, 15, new Date(Date.now() + 60_000), { distress: 0.9, confidence: 0.9 });
    await sys.publishScores(device.deviceId, ahead);
    await waitFor(async () => (await stored('device_id = $1', [device.deviceId])) === 15, 'the 15 windows stored');
    await waitFor(
      async () => (await openAlerts()).some((a) => a.kind === 'sustained_distress' && a.stayId === device.stayId),
      'the distress alert despite the refused 2099 window',
    );
    expect(Date.parse((await board()).latest.windowEnd)).toBeLessThan(Date.now() + 120_000);
  });

  it('acknowledges a refused window too (it is handled), so a device is never stuck resending it', async () => {
    const device = sys.devices[DEVICES + 1]!;
    const client = await sys.connectDevice(device.deviceId);
    const bad = Buffer.from(JSON.stringify({ ...makeWindow(device.deviceId, 1, new Date(), { distress: 0.2, confidence: 0.9 }), v: 1 }));
    await client.publishAsync(topics.scores(device.deviceId), bad, { qos: 1 });
    await client.endAsync();
  });
});
