/**
 * Stays through the API: admission, transfer and discharge, with consent following the stay to the
 * bedside agents (retained consent) and ingest attributing windows by bed history. Runs on the
 * embedded defaults and, when configured, on PostgreSQL + Mosquitto.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePayload, topics, type ConsentMessage, type ScoreWindow } from '@attune/protocol';
import { call } from '../support/api.ts';
import { readMetric } from '../support/metrics.ts';
import { backends, makeWindow, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

describe.each(backends())('stays and consent on $label', (backend) => {
  let sys: TestSystem;
  let charge: string;
  let nurse: string;
  let it_: string;
  const agents = new Map<string, { client: MqttClient; consent: ConsentMessage[] }>();

  const stored = async (deviceId: string) =>
    sys.server.db.query<{ seq: number; stayId: string }>(
      `select seq::int as seq, stay_id as "stayId" from score_window where device_id = $1 order by seq`,
      [deviceId],
    );
  const rejected = (reason: string) => readMetric(sys.baseUrl, 'attune_ingest_rejected_total', { reason });
  const lastConsent = (deviceId: string) => agents.get(deviceId)!.consent.at(-1);
  const publish = async (deviceId: string, windows: ScoreWindow[]) => {
    for (const w of windows)
      await agents.get(deviceId)!.client.publishAsync(topics.scores(deviceId), encodePayload('scores', w), { qos: 1 });
  };

  beforeAll(async () => {
    sys = await startTestSystem({
      backend,
      beds: [
        { consent: { camera: false, wearable: true } }, // 0: will be transferred to bed 1
        { consent: null }, // 1: empty, receives the transfer
        { consent: null }, // 2: empty, admission via the API, then discharge
        { consent: { camera: true, wearable: true } }, // 3: nurse records "patient asked to stop"
      ],
    });
    [charge, nurse, it_] = [await sys.login('demo-charge'), await sys.login('demo-nurse'), await sys.login('demo-it')];
    // Each bedside agent is a real MQTT client on its own session, subscribed to its consent topic.
    for (const d of sys.devices) {
      const client = await sys.connectDevice(d.deviceId);
      const consent: ConsentMessage[] = [];
      client.on('message', (_t, payload) => consent.push(JSON.parse(payload.toString())));
      await client.subscribeAsync(topics.consent(d.deviceId), { qos: 1 });
      agents.set(d.deviceId, { client, consent });
    }
    // (Empty beds have never had a consent message: their agents fail closed.)
    await waitFor(
      async () => sys.devices.every((d) => !d.stayId || agents.get(d.deviceId)!.consent.length > 0),
      'retained consent on every occupied bed',
    );
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('admits only as a charge nurse, to a free bed, with no consent (the agent is told all-off)', async () => {
    const bed = sys.devices[2]!;
    const body = { bedId: bed.bedId, displayName: 'Ada Lovelace', externalId: 'MRN-1815' };
    expect((await call(sys.baseUrl, 'POST', '/api/stays', { body })).status).toBe(401);
    expect((await call(sys.baseUrl, 'POST', '/api/stays', { cookie: nurse, body })).status).toBe(403);
    expect((await call(sys.baseUrl, 'POST', '/api/stays', { cookie: it_, body })).status).toBe(403);
    const bad = await call(sys.baseUrl, 'POST', '/api/stays', { cookie: charge, body: { bedId: 'nope', displayName: '' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(['bedId', 'displayName']));
    // A name the database could not store (NUL) or that hides text is a 400 naming the field, never a 500.
    for (const [displayName, why] of [
      ['Ada\u0000Lovelace', 'control character (U+0000)'],
      ['Ada \ud800', 'lone surrogate (U+D800)'],
      ['Ada \u202e\u0085', 'control character (U+0085)'],
      ['Ada \ufdd0', 'non-character (U+FDD0)'],
    ]) {
      const unsafe = await call(sys.baseUrl, 'POST', '/api/stays', { cookie: charge, body: { bedId: bed.bedId, displayName } });
      expect(unsafe.status, displayName).toBe(400);
      expect(unsafe.body.error.fields.displayName).toContain(why);
    }
    const note = await call(sys.baseUrl, 'POST', `/api/alerts/${crypto.randomUUID()}/resolve`, {
      cookie: nurse,
      body: { outcome: 'comforted', note: 'line one\nline two\u0000' },
    });
    expect(note.status).toBe(400);
    expect(note.body.error.fields.note).toContain('U+0000');

    const res = await call(sys.baseUrl, 'POST', '/api/stays', { cookie: charge, body });
    expect(res.status).toBe(201);
    expect(res.body.stay).toMatchObject({
      patientName: 'Ada Lovelace',
      externalId: 'MRN-1815',
      bedId: bed.bedId,
      bedLabel: 'Bed 3',
      wardId: sys.wardId,
      dischargedAt: null,
      consent: null,
    });
    bed.stayId = res.body.stay.id;
    await waitFor(async () => lastConsent(bed.deviceId)?.stay === bed.stayId, "the new stay on the bed's consent topic", 2000);
    expect(lastConsent(bed.deviceId)!.modalities).toEqual({ camera: false, wearable: false });

    const again = await call(sys.baseUrl, 'POST', '/api/stays', {
      cookie: charge,
      body: { bedId: bed.bedId, displayName: 'Someone Else' },
    });
    expect(again.status).toBe(409);
    expect((await call(sys.baseUrl, 'POST', '/api/stays', { cookie: charge, body: { ...body, bedId: crypto.randomUUID() } })).status).toBe(
      404,
    );

    // A new stay has no consent, so whatever its agent sends is dropped.
    const before = await rejected('no_consent');
    await publish(bed.deviceId, [makeWindow(bed.deviceId, 1, new Date(Date.now() + 6000), { distress: 0.2, confidence: 0.9 })]);
    await waitFor(async () => (await rejected('no_consent')) > before, 'the no-consent rejection');
    expect(await stored(bed.deviceId)).toEqual([]);

    const read = await call(sys.baseUrl, 'GET', `/api/stays/${bed.stayId}`, { cookie: nurse });
    expect(read.status).toBe(200);
    expect(read.body.stay.id).toBe(bed.stayId);
    expect((await call(sys.baseUrl, 'GET', `/api/stays/${bed.stayId}`, { cookie: it_ })).status).toBe(403);
    expect((await call(sys.baseUrl, 'GET', `/api/stays/${crypto.randomUUID()}`, { cookie: nurse })).status).toBe(404);
  });

  it('transfers: consent follows the patient to the new bed agent, the old one gets none, windows go by bed history', async () => {
    const [from, to] = [sys.devices[0]!, sys.devices[1]!];
    const stayId = from.stayId!;
    await publish(from.deviceId, [makeWindow(from.deviceId, 1, new Date(), { distress: 0.2, confidence: 0.9 })]);
    await waitFor(async () => (await stored(from.deviceId)).length === 1, 'a window before the transfer');

    const occupied = await call(sys.baseUrl, 'POST', `/api/stays/${stayId}/transfer`, {
      cookie: charge,
      body: { bedId: sys.devices[3]!.bedId },
    });
    expect(occupied.status).toBe(409);
    expect((await call(sys.baseUrl, 'POST', `/api/stays/${stayId}/transfer`, { cookie: nurse, body: { bedId: to.bedId } })).status).toBe(
      403,
    );

    const res = await call(sys.baseUrl, 'POST', `/api/stays/${stayId}/transfer`, { cookie: charge, body: { bedId: to.bedId } });
    expect(res.status).toBe(200);
    const transferredAt = Date.now();
    expect(res.body.stay).toMatchObject({ id: stayId, bedId: to.bedId, bedLabel: 'Bed 2', consent: { camera: false, wearable: true } });
    await waitFor(async () => lastConsent(to.deviceId)?.stay === stayId, "the patient's consent on the new bed", 2000);
    expect(lastConsent(to.deviceId)!.modalities).toEqual({ camera: false, wearable: true });
    await waitFor(async () => lastConsent(from.deviceId)?.stay === null, 'no consent on the old bed', 2000);
    expect(lastConsent(from.deviceId)!.modalities).toEqual({ camera: false, wearable: false });

    const noStayBefore = await rejected('no_active_stay');
    // Old bed: a window measured before the transfer (replayed) is the patient's; one measured after is nobody's.
    await publish(from.deviceId, [
      makeWindow(from.deviceId, 2, new Date(transferredAt - 2000), { distress: 0.2, confidence: 0.9 }),
      makeWindow(from.deviceId, 3, new Date(transferredAt + 6000), { distress: 0.2, confidence: 0.9 }),
    ]);
    // New bed: a window that began before the patient arrived is not theirs; one after is.
    await publish(to.deviceId, [
      makeWindow(to.deviceId, 1, new Date(transferredAt + 1000), { distress: 0.2, confidence: 0.9 }),
      makeWindow(to.deviceId, 2, new Date(transferredAt + 6000), { distress: 0.2, confidence: 0.9 }),
    ]);
    await waitFor(async () => (await rejected('no_active_stay')) >= noStayBefore + 2, 'both out-of-bed windows dropped');
    await waitFor(async () => (await stored(to.deviceId)).length === 1, "the new bed's window");
    expect(await stored(from.deviceId)).toEqual([
      { seq: 1, stayId },
      { seq: 2, stayId },
    ]);
    expect(await stored(to.deviceId)).toEqual([{ seq: 2, stayId }]);
  });

  it('records "patient asked to stop" from the board in one tap, as staff, and tells the agent within a second', async () => {
    const bed = sys.devices[3]!;
    const started = Date.now();
    const res = await call(sys.baseUrl, 'POST', `/api/stays/${bed.stayId}/consent/stop`, { cookie: nurse });
    expect(res.status).toBe(200);
    expect(res.body.stay.consent).toMatchObject({ camera: false, wearable: false, actor: 'staff' });
    await waitFor(async () => lastConsent(bed.deviceId)?.modalities.camera === false, 'the withdrawal at the agent', 1000);
    const elapsed = Date.now() - started;
    console.log(`[${sys.label}] board stop -> retained consent at the agent: ${elapsed} ms`);
    expect(elapsed).toBeLessThan(1000);
    const [event] = await sys.server.db.query<{ actorKind: string; recordedByUserId: string }>(
      `select actor_kind as "actorKind", recorded_by_user_id as "recordedByUserId" from consent_event where stay_id = $1 order by id desc limit 1`,
      [bed.stayId],
    );
    const [user] = await sys.server.db.query<{ id: string }>(`select id from app_user where username = 'demo-nurse'`);
    expect(event).toEqual({ actorKind: 'staff', recordedByUserId: user!.id });
    expect((await call(sys.baseUrl, 'POST', `/api/stays/${bed.stayId}/consent/stop`, { cookie: it_ })).status).toBe(403);
  });

  it('discharges: consent ends, the agent is told all-off, later windows are dropped, and the bed takes a new patient with none', async () => {
    const bed = sys.devices[1]!; // now holds the transferred patient
    const stayId = sys.devices[0]!.stayId!;
    const res = await call(sys.baseUrl, 'POST', `/api/stays/${stayId}/discharge`, { cookie: charge });
    expect(res.status).toBe(200);
    expect(res.body.stay.dischargedAt).toEqual(expect.any(String));
    expect(res.body.stay.consent).toBeNull();
    await waitFor(async () => lastConsent(bed.deviceId)?.stay === null, 'all-off after discharge', 2000);
    expect((await call(sys.baseUrl, 'POST', `/api/stays/${stayId}/discharge`, { cookie: charge })).status).toBe(409);
    expect((await call(sys.baseUrl, 'POST', `/api/stays/${stayId}/transfer`, { cookie: charge, body: { bedId: bed.bedId } })).status).toBe(
      409,
    );
    expect((await call(sys.baseUrl, 'POST', `/api/stays/${stayId}/consent/stop`, { cookie: nurse })).status).toBe(409);

    const before = await rejected('no_active_stay');
    await publish(bed.deviceId, [makeWindow(bed.deviceId, 3, new Date(Date.now() + 6000), { distress: 0.2, confidence: 0.9 })]);
    await waitFor(async () => (await rejected('no_active_stay')) > before, 'the post-discharge window dropped');

    const next = await call(sys.baseUrl, 'POST', '/api/stays', { cookie: charge, body: { bedId: bed.bedId, displayName: 'Grace Hopper' } });
    expect(next.status).toBe(201);
    await waitFor(async () => lastConsent(bed.deviceId)?.stay === next.body.stay.id, 'the new stay on the bed', 2000);
    expect(lastConsent(bed.deviceId)!.modalities).toEqual({ camera: false, wearable: false });
  });

  it('audits every stay action and read', async () => {
    const rows = await sys.server.db.query<{ action: string }>(`select distinct action from audit_log where subject_type = 'stay'`);
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['stay.admit', 'stay.read', 'stay.transfer', 'stay.discharge', 'consent.record']),
    );
  });
});
