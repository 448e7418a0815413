/**
 * The consent record: the database refuses to rewrite the ledger, verification names an event
 * edited behind the guard's back (API and `npm run consent:verify`), the FHIR R4 export is valid
 * against the official schema, and retention deletes old data but keeps the ledger. Runs on the
 * embedded defaults and, when configured, on PostgreSQL + Mosquitto.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Json } from '../support/api.ts';
import { fhirR4Validator } from '../support/fhir.ts';
import { backends, startTestSystem, type TestSystem } from '../support/system.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DAY_MS = 86_400_000;

describe.each(backends())('consent record on $label', (backend) => {
  let sys: TestSystem;
  let nurse: string;
  let charge: string;
  const consent = (stayId: string, choice: Json, at = new Date()) =>
    sys.server.services.consent.record(stayId, { language: 'en', ...choice }, at);
  const events = (stayId: string) =>
    sys.server.db.query<{ id: number }>(`select id::int as id from consent_event where stay_id = $1 order by id`, [stayId]);

  let validate: ReturnType<typeof fhirR4Validator>;

  beforeAll(async () => {
    // Compiling the full FHIR schema blocks the event loop for seconds: do it before any server or socket exists.
    validate = fhirR4Validator('Consent');
    sys = await startTestSystem({
      backend,
      beds: [
        { consent: { camera: true, wearable: true } }, // 0: tampered
        { consent: 'no-consent' }, // 1: FHIR: proxy, withdrawal, rejection
        { consent: { camera: false, wearable: true } }, // 2: intact
        { consent: { camera: false, wearable: true } }, // 3: retention: active stay
        { consent: { camera: false, wearable: true } }, // 4: retention: long-discharged stay
      ],
    });
    [nurse, charge] = [await sys.login('demo-nurse'), await sys.login('demo-charge')];
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('refuses UPDATE, DELETE and TRUNCATE on consent_event', async () => {
    const stayId = sys.devices[0]!.stayId!;
    await expect(sys.server.db.query(`update consent_event set camera = false where stay_id = $1`, [stayId])).rejects.toThrow(
      /append-only/,
    );
    await expect(sys.server.db.query(`delete from consent_event where stay_id = $1`, [stayId])).rejects.toThrow(/append-only/);
    await expect(sys.server.db.query(`truncate consent_event`)).rejects.toThrow();
    expect((await events(stayId)).length).toBe(1);
  });

  it('verifies an intact chain, and names the event a superuser edited behind the guard', async () => {
    const stayId = sys.devices[0]!.stayId!;
    await consent(stayId, { camera: false, wearable: true, actorKind: 'patient' });
    await consent(stayId, { camera: false, wearable: false, actorKind: 'patient' });
    const ok = await call(sys.baseUrl, 'GET', `/api/stays/${stayId}/consent/verify`, { cookie: nurse });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ stayId, ok: true, events: 3 });

    const [, middle] = await events(stayId);
    await sys.server.db.query(`alter table consent_event disable trigger consent_event_append_only`);
    await sys.server.db.query(`update consent_event set camera = true where id = $1`, [middle!.id]);
    await sys.server.db.query(`alter table consent_event enable trigger consent_event_append_only`);

    const broken = await call(sys.baseUrl, 'GET', `/api/stays/${stayId}/consent/verify`, { cookie: charge });
    expect(broken.body).toEqual({
      stayId,
      ok: false,
      events: 3,
      brokenEventId: String(middle!.id),
      problem: 'content does not match its hash',
    });
    expect((await call(sys.baseUrl, 'GET', `/api/stays/${stayId}/consent/verify`, { cookie: await sys.login('demo-it') })).status).toBe(
      403,
    );
    const audited = await sys.server.db.query(`select 1 from audit_log where action = 'consent.verify' and subject_id = $1`, [stayId]);
    expect(audited.length).toBe(2);
  });

  it('exports consent as a FHIR R4 Consent resource valid against the official schema', async () => {
    const stayId = sys.devices[1]!.stayId!;
    const fhir = async () => {
      const res = await call(sys.baseUrl, 'GET', `/api/stays/${stayId}/consent/fhir`, { cookie: nurse });
      expect(res.headers.get('content-type')).toMatch(/application\/fhir\+json/);
      const valid = validate(res.body);
      expect({ valid, errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
      return res.body;
    };
    expect((await call(sys.baseUrl, 'GET', `/api/stays/${stayId}/consent/fhir`, { cookie: nurse })).status).toBe(404);

    await consent(stayId, { camera: false, wearable: false, actorKind: 'patient' });
    expect(await fhir()).toMatchObject({ status: 'rejected', provision: { type: 'deny' } });

    await consent(stayId, {
      camera: true,
      wearable: false,
      actorKind: 'proxy',
      proxyName: 'Helen O.',
      proxyRelationship: 'daughter',
      textHash: 'ab'.repeat(32),
    });
    const active = await fhir();
    expect(active).toMatchObject({
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { display: 'Patient 2' },
      performer: [{ reference: '#proxy', type: 'RelatedPerson' }],
      contained: [{ resourceType: 'RelatedPerson', id: 'proxy', name: [{ text: 'Helen O.' }], relationship: [{ text: 'daughter' }] }],
      policyRule: { coding: [{ code: 'OPTIN' }] },
      provision: {
        type: 'permit',
        provision: [
          { type: 'permit', code: [{ text: 'camera' }] },
          { type: 'deny', code: [{ text: 'wearable' }] },
        ],
      },
    });
    expect(Date.parse(active.dateTime)).toBeGreaterThan(0);

    await call(sys.baseUrl, 'POST', `/api/stays/${stayId}/consent/stop`, { cookie: nurse });
    expect(await fhir()).toMatchObject({
      status: 'inactive',
      performer: [{ type: 'Patient', display: 'Patient 2' }],
      provision: { type: 'deny' },
    });
    await call(sys.baseUrl, 'POST', `/api/stays/${stayId}/discharge`, { cookie: charge });
    expect(await fhir()).toMatchObject({ status: 'inactive', provision: { period: { end: expect.any(String) } } });
    const audited = await sys.server.db.query(`select 1 from audit_log where action = 'consent.fhir.export' and subject_id = $1`, [stayId]);
    expect(audited.length).toBe(4);
  });

  it('deletes old score windows and everything but the ledger of long-discharged stays; logs counts only', async () => {
    const [active, old] = [sys.devices[3]!, sys.devices[4]!];
    const now = new Date();
    const insertWindow = (deviceId: string, stayId: string, seq: number, end: Date) =>
      sys.server.db.query(
        `insert into score_window (device_id, seq, stay_id, window_start, window_end, distress, confidence, drivers, quality, models)
         values ($1, $2, $3, $4, $5, 0.2, 0.9, '[]', '{}', '{}')`,
        [deviceId, seq, stayId, new Date(end.getTime() - 5000).toISOString(), end.toISOString()],
      );
    await insertWindow(active.deviceId, active.stayId!, 1, new Date(now.getTime() - 40 * DAY_MS));
    await insertWindow(active.deviceId, active.stayId!, 2, new Date(now.getTime() - 3600_000));
    await insertWindow(old.deviceId, old.stayId!, 1, new Date(now.getTime() - 3600_000));
    await call(sys.baseUrl, 'POST', `/api/stays/${old.stayId}/discharge`, { cookie: charge });
    await sys.server.db.query(`update stay set discharged_at = $2 where id = $1`, [
      old.stayId,
      new Date(now.getTime() - 31 * DAY_MS).toISOString(),
    ]);
    const [alert] = await sys.server.db.query<{ id: string }>(
      `insert into alert (kind, category, priority, ward_id, bed_id, stay_id, opened_at, updated_at, explanation)
       values ('sustained_distress', 'clinical', 'medium', $1, $2, $3, $4, $4, '{"summary":"x"}') returning id`,
      [sys.wardId, old.bedId, old.stayId, new Date(now.getTime() - 32 * DAY_MS).toISOString()],
    );
    await sys.server.db.query(`insert into alert_event (alert_id, at, type) values ($1, $2, 'opened')`, [alert!.id, now.toISOString()]);
    await sys.server.db.query(`insert into tablet_session (token_hash, stay_id) values ('left-over', $1)`, [old.stayId]);
    const ledgerBefore = (await events(old.stayId!)).length;

    const counts = await sys.server.services.retention.run(now);
    expect(counts).toMatchObject({ scoreWindows: 2, alerts: 1, alertEvents: 1, tabletSessions: 1, stays: 1 });
    const left = await sys.server.db.query<{ seq: number; deviceId: string }>(
      `select device_id as "deviceId", seq::int as seq from score_window where device_id = any($1::text[])`,
      [[active.deviceId, old.deviceId]],
    );
    expect(left).toEqual([{ deviceId: active.deviceId, seq: 2 }]);
    expect(await sys.server.db.query(`select 1 from alert where stay_id = $1`, [old.stayId])).toEqual([]);
    // The ledger (and the stay it belongs to) is the legal record of consent: kept, and still intact.
    expect((await events(old.stayId!)).length).toBe(ledgerBefore);
    expect((await call(sys.baseUrl, 'GET', `/api/stays/${old.stayId}/consent/verify`, { cookie: nurse })).body.ok).toBe(true);
    expect((await sys.server.services.retention.run(now)).scoreWindows).toBe(0);
  });

  it('`npm run consent:verify` walks every chain and exits non-zero naming the broken event', async () => {
    const tampered = sys.devices[0]!.stayId!;
    const [, middle] = await events(tampered);
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error' };
    delete env.DATABASE_URL;
    if (sys.server.databaseUrl) env.DATABASE_URL = sys.server.databaseUrl;
    else {
      // PGlite allows one process: the server lets go of its data folder first.
      await sys.server.stop();
      env.ATTUNE_DATA_DIR = sys.server.dataDir;
    }
    const run = (args: string[]) =>
      promisify(execFile)('npx', ['tsx', 'scripts/consent-verify.ts', ...args], { cwd: ROOT, env }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
    const all = await run([]);
    expect(all.code).toBe(1);
    expect(all.stdout).toContain(`BROKEN stay ${tampered}: event ${middle!.id}: content does not match its hash`);
    expect(all.stdout).toMatch(/1 broken/);
    const intact = await run(['--stay', sys.devices[2]!.stayId!]);
    expect(intact).toEqual({ code: 0, stdout: expect.stringMatching(/all intact/) });
  });
});
