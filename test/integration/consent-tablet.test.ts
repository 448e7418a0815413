/**
 * The bedside tablet through the API: pairing, its locked-down session, the consent texts,
 * consent by the patient or a legal representative, stop with erasure, and click-to-stop timing
 * measured on the real bedside agent. Runs on the embedded defaults and, when configured, on
 * PostgreSQL + Mosquitto.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, startAgent, type RunningAgent } from '@attune/edge-agent';
import { encodePayload, topics, type ConsentMessage, type ScoreWindow } from '@attune/protocol';
import { call, cookieFrom, type Json } from '../support/api.ts';
import { bedsideAgentConfig } from '../support/bedside-agent.ts';
import { readMetric } from '../support/metrics.ts';
import { backends, makeEpisode, makeWindow, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

/** Same canonical JSON as the consent ledger: keys sorted at every level. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
const leaves = (value: unknown, path = ''): [string, unknown][] =>
  value !== null && typeof value === 'object'
    ? Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k))
    : [[path, value]];

/** A nurse's pairing code for the bed, used by a tablet that names the bed's ward (POST /api/tablet/pair { wardId, code }). */
async function pairTablet(baseUrl: string, nurseCookie: string, bedId: string): Promise<{ cookie: string; pairing: Json; tablet: Json }> {
  const pairing = await call(baseUrl, 'POST', `/api/beds/${bedId}/tablet-pairing`, { cookie: nurseCookie });
  if (pairing.status !== 201) throw new Error(`pairing: ${pairing.status} ${JSON.stringify(pairing.body)}`);
  const paired = await call(baseUrl, 'POST', '/api/tablet/pair', { body: { wardId: pairing.body.wardId, code: pairing.body.code } });
  if (paired.status !== 200) throw new Error(`pair: ${paired.status} ${JSON.stringify(paired.body)}`);
  return { cookie: cookieFrom(paired.headers, 'attune_tablet'), pairing: pairing.body, tablet: paired.body.tablet };
}

describe.each(backends())('bedside tablet on $label', (backend) => {
  let sys: TestSystem;
  let nurse: string;
  let tablet: string;
  let texts: Record<'en' | 'es', Json>;
  let agentDir: string;
  let agent: RunningAgent | null = null;
  let bedside: { client: MqttClient; consent: ConsentMessage[] };

  const rejected = (reason: string) => readMetric(sys.baseUrl, 'attune_ingest_rejected_total', { reason });
  const tabletCall = (method: string, path: string, body?: unknown) => call(sys.baseUrl, method, path, { cookie: tablet, body });
  const publish = async (deviceId: string, windows: ScoreWindow[]) => {
    for (const w of windows) await bedside.client.publishAsync(topics.scores(deviceId), encodePayload('scores', w), { qos: 1 });
  };

  beforeAll(async () => {
    sys = await startTestSystem({
      backend,
      beds: [
        { consent: 'no-consent' }, // 0: the tablet's patient
        { consent: { camera: false, wearable: true } }, // 1: real agent, click-to-stop
        { consent: { camera: true, wearable: true } }, // 2: another patient
        { consent: null }, // 3: empty bed
      ],
    });
    nurse = await sys.login('demo-nurse');
    agentDir = mkdtempSync(join(tmpdir(), 'attune-agent-'));
    const d = sys.devices[0]!;
    const client = await sys.connectDevice(d.deviceId);
    bedside = { client, consent: [] };
    client.on('message', (_t, payload) => bedside.consent.push(JSON.parse(payload.toString())));
    await client.subscribeAsync(topics.consent(d.deviceId), { qos: 1 });
  });
  afterAll(async () => {
    await agent?.stop();
    await sys?.stop();
    if (agentDir) rmSync(agentDir, { recursive: true, force: true });
  });

  it('pairs with a single-use 6-digit code a nurse shows as a QR; codes expire and are refused when used', async () => {
    const bed = sys.devices[0]!;
    expect((await call(sys.baseUrl, 'POST', `/api/beds/${bed.bedId}/tablet-pairing`)).status).toBe(401);
    expect((await call(sys.baseUrl, 'POST', `/api/beds/${bed.bedId}/tablet-pairing`, { cookie: await sys.login('demo-it') })).status).toBe(
      403,
    );
    const empty = await call(sys.baseUrl, 'POST', `/api/beds/${sys.devices[3]!.bedId}/tablet-pairing`, { cookie: nurse });
    expect(empty.status).toBe(409);

    const created = await call(sys.baseUrl, 'POST', `/api/beds/${bed.bedId}/tablet-pairing`, { cookie: nurse });
    expect(created.status).toBe(201);
    const { code, wardId, expiresAt, pairUrl, qrSvg } = created.body;
    expect(code).toMatch(/^\d{6}$/);
    expect(wardId).toBe(sys.wardId);
    // The link and the QR carry the ward: the code pairs only on the bed's ward.
    expect(pairUrl).toBe(`/tablet?ward=${sys.wardId}&code=${code}`);
    expect(qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(new Date(expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    const stored = await sys.server.db.query<{ codeHash: string }>(`select code_hash as "codeHash" from tablet_pairing where bed_id = $1`, [
      bed.bedId,
    ]);
    expect(stored.map((r) => r.codeHash)).toContain(createHash('sha256').update(code).digest('hex'));

    // The right code named with another ward, or none, does not pair (and does not use the code up).
    const otherWard = await call(sys.baseUrl, 'POST', '/api/tablet/pair', { body: { wardId: crypto.randomUUID(), code } });
    expect(otherWard.status).toBe(400);
    expect((await call(sys.baseUrl, 'POST', '/api/tablet/pair', { body: { code } })).status).toBe(400);

    const paired = await call(sys.baseUrl, 'POST', '/api/tablet/pair', { body: { wardId: sys.wardId, code } });
    expect(paired.status).toBe(200);
    const setCookie = paired.headers.getSetCookie().find((c) => c.startsWith('attune_tablet='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    tablet = setCookie.split(';')[0]!;
    expect(paired.body.tablet).toEqual({
      stayId: bed.stayId,
      bedLabel: 'Bed 1',
      patientName: 'Patient 1',
      consent: null,
      languages: ['en', 'es'],
    });
    const sessions = await sys.server.db.query<{ tokenHash: string }>(`select token_hash as "tokenHash" from tablet_session`);
    expect(sessions.map((s) => s.tokenHash)).toContain(createHash('sha256').update(tablet.split('=')[1]!).digest('hex'));

    const reused = await call(sys.baseUrl, 'POST', '/api/tablet/pair', { body: { wardId: sys.wardId, code } });
    expect(reused.status).toBe(400);
    expect(reused.body.error.fields.code).toBeTruthy();

    const late = await call(sys.baseUrl, 'POST', `/api/beds/${bed.bedId}/tablet-pairing`, { cookie: nurse });
    await sys.server.db.query(`update tablet_pairing set expires_at = now() - interval '1 second' where used_at is null`);
    expect((await call(sys.baseUrl, 'POST', '/api/tablet/pair', { body: { wardId: sys.wardId, code: late.body.code } })).status).toBe(400);
  });

  it('lets the tablet session read its own stay and nothing else: every staff route answers 403', async () => {
    const own = sys.devices[0]!;
    const other = sys.devices[2]!;
    const state = await tabletCall('GET', '/api/tablet/state');
    expect(state.status).toBe(200);
    expect(state.body.stayId).toBe(own.stayId);

    const alert = await sys.server.db.query<{ id: string }>(`select id from alert limit 1`);
    const forbidden: [string, string, unknown?][] = [
      ['GET', '/api/wards'],
      ['GET', `/api/wards/${sys.wardId}/board`],
      ['GET', '/api/alerts'],
      ['GET', `/api/alerts/${alert[0]?.id ?? crypto.randomUUID()}`],
      ['POST', `/api/alerts/${crypto.randomUUID()}/acknowledge`],
      ['GET', '/api/devices'],
      ['GET', `/api/stays/${own.stayId}`],
      ['GET', `/api/stays/${other.stayId}`],
      ['GET', `/api/stays/${other.stayId}/timeline`],
      ['GET', `/api/stays/${own.stayId}/consent/fhir`],
      ['GET', `/api/stays/${own.stayId}/consent/verify`],
      ['POST', `/api/stays/${other.stayId}/consent/stop`],
      ['POST', '/api/stays', { bedId: sys.devices[3]!.bedId, displayName: 'Intruder' }],
      ['POST', `/api/stays/${other.stayId}/transfer`, { bedId: sys.devices[3]!.bedId }],
      ['POST', `/api/stays/${other.stayId}/discharge`],
      ['POST', `/api/beds/${own.bedId}/tablet-pairing`],
      ['GET', '/api/events'],
      ['GET', '/api/auth/me'],
    ];
    for (const [method, path, body] of forbidden) {
      const res = await tabletCall(method, path, body);
      expect({ method, path, status: res.status, code: res.body?.error?.code }).toEqual({ method, path, status: 403, code: 'forbidden' });
    }
    // And a staff session is not a tablet session.
    expect((await call(sys.baseUrl, 'GET', '/api/tablet/state', { cookie: nurse })).status).toBe(401);
    expect((await call(sys.baseUrl, 'GET', '/api/tablet/state')).status).toBe(401);
  });

  it('serves the consent text in English and Spanish, complete, plain, with the hash of its canonical JSON', async () => {
    const got = { en: await tabletCall('GET', '/api/tablet/texts/en'), es: await tabletCall('GET', '/api/tablet/texts/es') };
    expect(got.en.status).toBe(200);
    expect(got.es.status).toBe(200);
    texts = { en: got.en.body, es: got.es.body };
    expect((await tabletCall('GET', '/api/tablet/texts/xx')).status).toBe(404);
    // Own keys only: prototype names are no language (they used to answer 200).
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect((await tabletCall('GET', `/api/tablet/texts/${key}`)).status, key).toBe(404);
    }
    for (const lang of ['en', 'es'] as const) {
      const { hash, ...body } = texts[lang];
      expect(body.language).toBe(lang);
      expect(hash).toBe(createHash('sha256').update(canonicalJson(body)).digest('hex'));
      for (const [path, value] of leaves(body))
        expect({ path, ok: typeof value === 'string' && value.trim().length > 0 }).toEqual({ path, ok: true });
      expect(body.sections.length).toBeGreaterThanOrEqual(6);
      expect(Object.keys(body.choices)).toEqual(expect.arrayContaining(['camera', 'wearable']));
    }
    // Same keys in both languages, and every Spanish string translated.
    const en = new Map(leaves(texts.en));
    const es = new Map(leaves(texts.es));
    expect([...es.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [path, value] of es)
      if (!['version', 'hash', 'language'].includes(path)) expect({ path, same: value === en.get(path) }).toEqual({ path, same: false });
    const all = JSON.stringify(texts.en);
    expect(all).toMatch(/artificial intelligence/i); // EU AI Act Art. 50-style notice
    expect(all).toMatch(/No video or sound leaves the room/);
    expect(all).toMatch(/30 days/); // RETENTION_DAYS default
    expect(all).toMatch(/can be wrong/);
    expect(all).toMatch(/Stop monitoring/);
  });

  it('records consent confirmed by the typed patient name, with text hash and language, and tells the agent', async () => {
    const bed = sys.devices[0]!;
    const base = { camera: true, wearable: false, actor: 'patient', language: 'en', textHash: texts.en.hash };
    const wrongName = await tabletCall('POST', '/api/tablet/consent', { ...base, typedName: 'Patient 2' });
    expect(wrongName.status).toBe(400);
    expect(wrongName.body.error.fields.typedName).toBeTruthy();
    const wrongText = await tabletCall('POST', '/api/tablet/consent', { ...base, typedName: 'patient 1', textHash: 'a'.repeat(64) });
    expect(wrongText.status).toBe(400);
    expect(wrongText.body.error.fields.textHash).toBeTruthy();
    const otherLanguage = await tabletCall('POST', '/api/tablet/consent', { ...base, typedName: 'patient 1', language: 'es' });
    expect(otherLanguage.body.error.fields.textHash).toBeTruthy();

    const ok = await tabletCall('POST', '/api/tablet/consent', { ...base, typedName: '  PATIENT   1 ' });
    expect(ok.status).toBe(200);
    expect(ok.body.tablet.consent).toMatchObject({
      camera: true,
      wearable: false,
      actor: 'patient',
      proxyName: null,
      since: expect.any(String),
    });
    await waitFor(async () => bedside.consent.at(-1)?.modalities.camera === true, 'camera consent at the agent', 2000);
    expect(bedside.consent.at(-1)!.modalities.wearable).toBe(false);
    const [event] = await sys.server.db.query<Json>(
      `select actor_kind as "actorKind", text_hash as "textHash", language from consent_event where stay_id = $1 order by id desc limit 1`,
      [bed.stayId],
    );
    expect(event).toEqual({ actorKind: 'patient', textHash: texts.en.hash, language: 'en' });
    const [text] = await sys.server.db.query<Json>(`select language, body from consent_text where hash = $1`, [texts.en.hash]);
    expect(text.body.title).toBe(texts.en.title);
  });

  it('records a legal representative by name and relationship, confirmed by their own typed name', async () => {
    const bed = sys.devices[0]!;
    const base = { camera: true, wearable: true, actor: 'proxy', language: 'es', textHash: texts.es.hash };
    const missing = await tabletCall('POST', '/api/tablet/consent', { ...base, typedName: 'Ana García' });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.error.fields)).toEqual(expect.arrayContaining(['proxyName', 'proxyRelationship']));
    const patientName = await tabletCall('POST', '/api/tablet/consent', {
      ...base,
      proxyName: 'Ana García',
      proxyRelationship: 'hija',
      typedName: 'Patient 1',
    });
    expect(patientName.body.error.fields.typedName).toBeTruthy();
    const ok = await tabletCall('POST', '/api/tablet/consent', {
      ...base,
      proxyName: 'Ana García',
      proxyRelationship: 'hija',
      typedName: 'ana garcía',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.tablet.consent).toMatchObject({
      camera: true,
      wearable: true,
      actor: 'proxy',
      proxyName: 'Ana García',
      proxyRelationship: 'hija',
    });
    const [event] = await sys.server.db.query<Json>(
      `select actor_kind as "actorKind", proxy_name as "proxyName", proxy_relationship as "proxyRelationship", text_hash as "textHash", language
         from consent_event where stay_id = $1 order by id desc limit 1`,
      [bed.stayId],
    );
    expect(event).toEqual({
      actorKind: 'proxy',
      proxyName: 'Ana García',
      proxyRelationship: 'hija',
      textHash: texts.es.hash,
      language: 'es',
    });
  });

  it('stops and erases: scores and alert evidence deleted and reported, replayed windows refused', async () => {
    const bed = sys.devices[0]!;
    await waitFor(async () => bedside.consent.at(-1)?.modalities.wearable === true, 'wearable consent at the agent', 2000);
    // A distress episode measured under this consent (so from now on): 15 windows, enough evidence to open an alert.
    const end = new Date(Date.now() + 1000 + 15 * 5000);
    await publish(bed.deviceId, makeEpisode(bed.deviceId, 1, 15, end, { distress: 0.9, confidence: 0.9 }));
    const count = async () =>
      (await sys.server.db.query<{ n: number }>(`select count(*)::int as n from score_window where stay_id = $1`, [bed.stayId]))[0]!.n;
    await waitFor(async () => (await count()) >= 2, 'windows stored');
    await waitFor(
      async () =>
        (await sys.server.db.query(`select 1 from alert where stay_id = $1 and kind = 'sustained_distress'`, [bed.stayId])).length === 1,
      'the alert',
    );
    const storedBefore = await count();

    const stopped = await tabletCall('POST', '/api/tablet/stop', { alsoDelete: true });
    expect(stopped.status).toBe(200);
    expect(stopped.body.deleted).toEqual({ scoreWindows: storedBefore, alerts: 1 });
    expect(stopped.body.tablet.consent).toMatchObject({ camera: false, wearable: false, actor: 'proxy', proxyName: 'Ana García' });
    await waitFor(async () => bedside.consent.at(-1)?.modalities.wearable === false, 'the withdrawal at the agent', 1000);
    expect(await count()).toBe(0);
    const [alert] = await sys.server.db.query<Json>(`select id, explanation, state from alert where stay_id = $1`, [bed.stayId]);
    expect(alert.explanation).toEqual({
      summary: "Details erased at the patient's request",
      evidence: [],
      painad: [],
      unobserved: [],
      models: {},
    });
    const details = await sys.server.db.query<Json>(`select detail from alert_event where alert_id = $1`, [alert.id]);
    expect(details.every((d) => Object.keys(d.detail).length === 0)).toBe(true);

    // An agent replaying its outbox: a window measured before the stop is erased, one after is outside consent.
    const [erasedBefore, noConsentBefore] = [await rejected('erased'), await rejected('no_consent')];
    await publish(bed.deviceId, [
      makeWindow(bed.deviceId, 100, new Date(Date.now() - 1000), { distress: 0.2, confidence: 0.9 }),
      makeWindow(bed.deviceId, 101, new Date(Date.now() + 6000), { distress: 0.2, confidence: 0.9 }),
    ]);
    await waitFor(
      async () => (await rejected('erased')) > erasedBefore && (await rejected('no_consent')) > noConsentBefore,
      'both dropped',
    );
    expect(await count()).toBe(0);

    const audit = await sys.server.db.query<{ action: string }>(`select action from audit_log where subject_id = $1 order by id`, [
      bed.stayId,
    ]);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'tablet.pairing.create',
        'tablet.pair',
        'tablet.state.read',
        'tablet.consent',
        'consent.record',
        'tablet.stop_and_erase',
      ]),
    );
  });

  it('stops the real bedside agent: its wearable stream closes within the bound after one tablet tap (measured)', async () => {
    const bed = sys.devices[1]!;
    agent = await startAgent(
      bedsideAgentConfig(bed, { mqttUrl: sys.mqttUrl, dataDir: agentDir, windowMs: 500, baselineWindows: 3, seed: 3 }),
      {
        log: silentLogger,
      },
    );
    await waitFor(async () => agent!.status().sources.wearable === 'streaming', 'the wearable streaming under consent', 15_000);
    const { cookie } = await pairTablet(sys.baseUrl, nurse, bed.bedId);
    const started = performance.now();
    const res = await call(sys.baseUrl, 'POST', '/api/tablet/stop', { cookie, body: { alsoDelete: false } });
    expect(res.status).toBe(200);
    expect(res.body.deleted).toEqual({ scoreWindows: 0, alerts: 0 });
    while (agent.status().sources.wearable === 'streaming' && performance.now() - started < 5000)
      await new Promise((r) => setTimeout(r, 2));
    const elapsedMs = Math.round(performance.now() - started);
    console.log(`[${sys.label}] tablet stop click -> agent wearable closed: ${elapsedMs} ms`);
    expect(agent.status().sources.wearable).toBe('no_consent');
    expect(agent.status().bufferedWearableSamples).toBe(0);
    expect(elapsedMs).toBeLessThan(5000);
  });

  it('ends the tablet session at discharge and on unpair', async () => {
    const other = sys.devices[2]!;
    const charge = await sys.login('demo-charge');
    const { cookie } = await pairTablet(sys.baseUrl, nurse, other.bedId);
    expect((await call(sys.baseUrl, 'GET', '/api/tablet/state', { cookie })).status).toBe(200);
    expect((await call(sys.baseUrl, 'POST', `/api/stays/${other.stayId}/discharge`, { cookie: charge })).status).toBe(200);
    expect((await call(sys.baseUrl, 'GET', '/api/tablet/state', { cookie })).status).toBe(401);

    const unpair = await tabletCall('POST', '/api/tablet/unpair');
    expect(unpair.status).toBe(204);
    expect((await tabletCall('GET', '/api/tablet/state')).status).toBe(401);
  });

  it('rate-limits pairing attempts per address (10 per minute)', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | null = null;
    for (let i = 0; i < 11; i++) {
      last = await call(sys.baseUrl, 'POST', '/api/tablet/pair', { body: { wardId: sys.wardId, code: '000000' } });
      statuses.push(last.status);
    }
    // Earlier tests in this suite already used some attempts from this address.
    expect(statuses.at(-1)).toBe(429);
    expect(last!.body.error.code).toBe('rate_limited');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(last!.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 400 && s !== 429)).toEqual([]);
  });
});
