/**
 * The nurse's station: an alert nobody acknowledges escalates one level per ALERT_ESCALATE_AFTER_S
 * (here 4 s) on every board, and only charge nurses are told; acknowledging stops it; a restarted
 * server carries on without recording a level twice. The event stream beats every 10 s without an
 * id, and the alert list filters by state, kind, priority, bed and opening time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Json } from '../support/api.ts';
import { readMetric } from '../support/metrics.ts';
import { openSse, type SseClient, type SseEvent } from '../support/sse.ts';
import { backends, getJson, makeEpisode, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

const ESCALATE_AFTER_S = 4;

interface EscalatedDetail {
  level: number;
  unacknowledgedS: number;
}

describe.each(backends())('alert escalation on $label', (backend) => {
  let sys: TestSystem;
  let nurse: string;
  let charge: string;
  let itAdmin: string;
  const streams: SseClient[] = [];
  /** The first bed's distress alert (escalated, then acknowledged) and the second's (escalated across a restart, then resolved). */
  let first: Json;
  let second: Json;

  beforeAll(async () => {
    sys = await startTestSystem({
      backend,
      beds: [{ consent: { camera: false, wearable: true } }, { consent: { camera: false, wearable: true } }, { consent: null }],
      // The devices go quiet after their one episode: no stall or offline alert may join the lists under test.
      env: { ALERT_ESCALATE_AFTER_S: String(ESCALATE_AFTER_S), INGEST_STALL_S: '3600', DEVICE_OFFLINE_AFTER_S: '3600' },
    });
    [nurse, charge, itAdmin] = [await sys.login('demo-nurse'), await sys.login('demo-charge'), await sys.login('demo-it')];
  });
  afterAll(async () => {
    streams.forEach((s) => s.close());
    await sys?.stop();
  });

  const stream = async (cookie: string, lastEventId?: string) => {
    const s = await openSse(`${sys.baseUrl}/api/events`, cookie, lastEventId);
    streams.push(s);
    return s;
  };
  const history = async (alertId: string, cookie = nurse) => getJson(sys.baseUrl, `/api/alerts/${alertId}`, cookie);
  const escalations = (events: { type: string; detail: Json }[]): EscalatedDetail[] =>
    events.filter((e) => e.type === 'escalated' && 'level' in e.detail).map((e) => e.detail as EscalatedDetail);
  /** Opens a sustained-distress alert on the bed of `deviceIndex` with 75 s of distress ending now. */
  const raiseDistress = async (deviceIndex: number) => {
    const device = sys.devices[deviceIndex]!;
    await sys.publishScores(device.deviceId, makeEpisode(device.deviceId, 1, 15, new Date(), { distress: 0.9, confidence: 0.9 }));
    return waitFor(async () => {
      const { alerts } = await getJson(sys.baseUrl, `/api/alerts?bedId=${device.bedId}`, nurse);
      return alerts.find((a: Json) => a.kind === 'sustained_distress');
    }, `the distress alert on ${device.deviceId}`);
  };
  const levelReached = (alertId: string, level: number) =>
    waitFor(
      async () => {
        const found = await history(alertId);
        // The alert and its history are two reads: wait until both show the level.
        return found.alert.escalationLevel >= level && escalations(found.events).some((d) => d.level === level) ? found : null;
      },
      `escalation level ${level}`,
      20_000,
    );
  const list = async (query: string, cookie = nurse): Promise<Json[]> =>
    (await getJson(sys.baseUrl, `/api/alerts?${query}`, cookie)).alerts;
  const escalationEvents = (s: SseClient) => s.events.filter((e) => e.event === 'escalation');

  let chargeStream: SseClient;
  let nurseStream: SseClient;
  let itStream: SseClient;

  it('escalates an unacknowledged alert level by level, marks it on every board and tells only the charge nurse', async () => {
    [chargeStream, nurseStream, itStream] = [await stream(charge), await stream(nurse), await stream(itAdmin)];
    first = await raiseDistress(0);
    expect(first).toMatchObject({ state: 'firing', firingSince: first.openedAt });
    // As opened (the first the boards heard of it): not escalated.
    const opened = await nurseStream.waitFor((e) => e.event === 'alert' && (e.data as Json).id === first.id, 'the opened alert');
    expect(opened.data).toMatchObject({ escalationLevel: 0, escalatedAt: null, firingSince: first.openedAt });

    const found = await levelReached(first.id, 2);
    const steps = escalations(found.events);
    expect(steps.map((d) => d.level)).toEqual([1, 2]);
    expect(steps[0]!.unacknowledgedS).toBeGreaterThanOrEqual(ESCALATE_AFTER_S);
    expect(steps[1]!.unacknowledgedS).toBeGreaterThanOrEqual(2 * ESCALATE_AFTER_S);
    expect(found.alert).toMatchObject({ id: first.id, state: 'firing', escalationLevel: 2, firingSince: first.openedAt });
    expect(Date.parse(found.alert.escalatedAt)).toBeGreaterThan(Date.parse(first.firingSince));
    const tile = (await getJson(sys.baseUrl, `/api/wards/${sys.wardId}/board`, nurse)).beds.find(
      (b: Json) => b.bedId === sys.devices[0]!.bedId,
    );
    expect(tile.openAlert).toMatchObject({ id: first.id, firingSince: first.firingSince, acknowledgedAt: null, escalationLevel: 2 });

    // Every board gets the alert marked with its level.
    const marked = (s: SseClient) =>
      s.waitFor((e) => e.event === 'alert' && (e.data as Json).id === first.id && (e.data as Json).escalationLevel === 2, 'level 2');
    await marked(nurseStream);
    await marked(chargeStream);
    // The charge nurse is told of each level; the nurse and IT never (the stream filters as the event is published).
    await chargeStream.waitFor((e) => e.event === 'escalation' && (e.data as Json).level === 2, 'the level 2 escalation');
    expect(escalationEvents(chargeStream).map((e) => e.data)).toEqual(
      [1, 2].map((level) => ({
        alertId: first.id,
        wardId: sys.wardId,
        bedId: sys.devices[0]!.bedId,
        bedLabel: 'Bed 1',
        kind: 'sustained_distress',
        priority: first.priority,
        level,
        unacknowledgedS: steps[level - 1]!.unacknowledgedS,
      })),
    );
    expect(escalationEvents(nurseStream)).toEqual([]);
    expect(escalationEvents(itStream)).toEqual([]);
    for (const level of ['1', '2']) {
      expect(await readMetric(sys.baseUrl, 'attune_alert_escalations_total', { priority: first.priority, level })).toBe(1);
    }
  });

  it('stops escalating once acknowledged', async () => {
    const ack = await call(sys.baseUrl, 'POST', `/api/alerts/${first.id}/acknowledge`, { cookie: nurse });
    expect(ack.status).toBe(200);
    // Acknowledged at level 2: the level says how far it went unanswered, and firingSince stays.
    expect(ack.body.alert).toMatchObject({ state: 'acknowledged', escalationLevel: 2, firingSince: first.firingSince });
    // Even an hour later, an acknowledged alert does not escalate.
    await sys.server.services.escalation.check(new Date(Date.now() + 3600_000));
    const after = await history(first.id);
    expect(escalations(after.events).map((d) => d.level)).toEqual([1, 2]);
    expect(after.alert.escalationLevel).toBe(2);
  });

  it('beats every 10 s without an id, and resumption by Last-Event-ID is undisturbed', async () => {
    const beats = await waitFor(
      async () => {
        const found = nurseStream.heartbeats;
        return found.length >= 2 ? [...found] : null;
      },
      'two heartbeats',
      35_000,
    );
    for (const beat of beats) {
      expect(beat.id).toBeNull();
      expect(new Date((beat.data as { at: string }).at).toISOString()).toBe((beat.data as { at: string }).at);
    }
    const gapMs = Date.parse((beats[1]!.data as Json).at) - Date.parse((beats[0]!.data as Json).at);
    // About every 10 s: never early, and well inside the 25 s after which a board calls itself stale.
    expect(gapMs).toBeGreaterThanOrEqual(9_500);
    expect(gapMs).toBeLessThan(25_000);

    // A charge nurse's board that reconnects after the first escalation gets what followed it, not a reset.
    const firstEscalation = escalationEvents(chargeStream)[0]!;
    const resumed = await stream(charge, firstEscalation.id!);
    await resumed.waitFor((e) => e.event === 'escalation' && (e.data as Json).level === 2, 'the replayed level 2 escalation');
    await resumed.waitFor((e) => e.event === 'alert' && (e.data as Json).state === 'acknowledged', 'the replayed acknowledgement');
    expect(resumed.events.some((e: SseEvent) => e.event === 'reset')).toBe(false);
  });

  it('records each level once, even with racing runs and across a restart', async () => {
    second = await raiseDistress(1);
    const farLater = new Date(Date.now() + 3600_000);
    // Five runs at once, as two servers (or an overlapping run) would: one level, recorded once.
    await Promise.all(Array.from({ length: 5 }, () => sys.server.services.escalation.check(farLater)));
    const once = escalations((await history(second.id)).events).map((d) => d.level);
    expect(once.length).toBeGreaterThanOrEqual(1);
    expect(new Set(once).size).toBe(once.length);

    streams.forEach((s) => s.close());
    await sys.restartServer();
    [nurse, charge, itAdmin] = [await sys.login('demo-nurse'), await sys.login('demo-charge'), await sys.login('demo-it')];
    // The restarted server carries on from the stored level to the cap (3), one event per level.
    const found = await levelReached(second.id, 3);
    await Promise.all(Array.from({ length: 3 }, () => sys.server.services.escalation.check(farLater)));
    expect(escalations((await history(second.id)).events).map((d) => d.level)).toEqual([1, 2, 3]);
    expect(found.alert.escalationLevel).toBe(3);
    const resolved = await call(sys.baseUrl, 'POST', `/api/alerts/${second.id}/resolve`, { cookie: nurse, body: { outcome: 'comforted' } });
    expect(resolved.status).toBe(200);
  });

  it('lists alerts by state (or all), kind, priority, bed and opening time', async () => {
    // A low-priority technical alert on the third bed's device: it never escalates.
    const device = sys.devices[2]!;
    await sys.server.services.alerts.deviceOffline(
      { deviceId: device.deviceId, bedId: device.bedId, wardId: sys.wardId, stayId: null },
      null,
      new Date(),
    );
    await sys.server.services.escalation.check(new Date(Date.now() + 3600_000));
    const ids = (alerts: Json[]) => alerts.map((a) => a.id);
    const all = await list('state=all');
    const offline = all.find((a) => a.kind === 'device_offline');
    expect(offline).toMatchObject({ priority: 'low', state: 'firing', escalationLevel: 0, bedId: device.bedId });

    // state: all is every state, newest first; open leaves the resolved one out; resolved is only it.
    expect(ids(all)).toEqual([offline.id, second.id, first.id]);
    expect(all.map((a) => a.state)).toEqual(['firing', 'resolved', 'acknowledged']);
    expect(ids(await list('state=all&limit=1'))).toEqual([offline.id]);
    expect(new Set(ids(await list('')))).toEqual(new Set([offline.id, first.id]));
    expect(ids(await list('state=resolved'))).toEqual([second.id]);
    expect(ids(await list('state=acknowledged'))).toEqual([first.id]);
    // Who acknowledged and resolved, by name.
    expect(all[1]).toMatchObject({ resolvedBy: 'Demo Nurse', outcome: 'comforted' });
    expect(all[2]).toMatchObject({ acknowledgedBy: 'Demo Nurse' });

    expect(ids(await list('state=all&kind=device_offline'))).toEqual([offline.id]);
    expect(ids(await list('state=all&kind=sustained_distress'))).toEqual([second.id, first.id]);
    expect(ids(await list('state=all&priority=low'))).toEqual([offline.id]);
    for (const priority of ['high', 'medium']) {
      expect(ids(await list(`state=all&priority=${priority}`))).toEqual(ids(all.filter((a) => a.priority === priority)));
    }
    expect(ids(await list(`state=all&bedId=${sys.devices[1]!.bedId}`))).toEqual([second.id]);

    // from is inclusive, to exclusive, both on openedAt.
    const at = encodeURIComponent(second.openedAt);
    expect(ids(await list(`state=all&from=${at}`))).toEqual([offline.id, second.id]);
    expect(ids(await list(`state=all&to=${at}`))).toEqual([first.id]);
    expect(ids(await list(`state=all&from=${encodeURIComponent(first.openedAt)}&to=${at}`))).toEqual([first.id]);

    // IT sees the technical alert only, without the patient.
    expect(ids(await list('state=all', itAdmin))).toEqual([offline.id]);

    for (const bad of ['from=yesterday', 'to=2026-12-02', `from=${at}&to=${at}`, 'state=everything', 'kind=fever', 'limit=0', 'bedId=7']) {
      expect((await call(sys.baseUrl, 'GET', `/api/alerts?${bad}`, { cookie: nurse })).status, bad).toBe(400);
    }
  });

  it('keeps firingSince while an alert fires again unacknowledged, and starts it over once it was acknowledged', async () => {
    const device = sys.devices[2]!;
    const scope = { deviceId: device.deviceId, bedId: device.bedId, wardId: sys.wardId, stayId: null };
    const { alerts } = sys.server.services;
    const offline = async (): Promise<Json> => (await list(`state=open&kind=device_offline&bedId=${device.bedId}`))[0];
    const before = await offline();
    await alerts.deviceBack(device.deviceId, new Date());
    await alerts.deviceOffline(scope, null, new Date());
    // Fired again while nobody had acknowledged it: the clock keeps running.
    expect(await offline()).toMatchObject({ id: before.id, state: 'firing', firingSince: before.firingSince });

    expect((await call(sys.baseUrl, 'POST', `/api/alerts/${before.id}/acknowledge`, { cookie: nurse })).status).toBe(200);
    await alerts.deviceBack(device.deviceId, new Date());
    const again = new Date();
    await alerts.deviceOffline(scope, null, again);
    // Fired again after an acknowledgement: a new unacknowledged stretch from now, escalation from 0.
    expect(await offline()).toMatchObject({
      id: before.id,
      state: 'firing',
      firingSince: again.toISOString(),
      escalationLevel: 0,
      escalatedAt: null,
    });
    expect(Date.parse(before.firingSince)).toBeLessThan(again.getTime());
  });
});
