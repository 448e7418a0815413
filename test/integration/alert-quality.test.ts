/**
 * The alert quality figures a charge nurse reviews (GET /api/alerts/quality): alerts per
 * patient-day per ward and kind, the share of each outcome, and the time to the first response,
 * computed in SQL from seeded stays and alerts with known times and outcomes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api.ts';
import { backends, startTestSystem, type TestSystem } from '../support/system.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe.each(backends())('alert quality on $label', (backend) => {
  let sys: TestSystem;
  let charge: string;
  let wardId: string;
  const seededAt = Date.now();

  beforeAll(async () => {
    sys = await startTestSystem({ backend, beds: [] });
    charge = await sys.login('demo-charge');
    const { wards, stays } = sys.server.repositories;
    wardId = await wards.create('Quality ward');
    const bedA = await wards.addBed(wardId, 'Q1', 1);
    const bedB = await wards.addBed(wardId, 'Q2', 2);
    // Stay A: admitted 3 days ago, still here. Stay B: admitted 3 days ago, discharged 1 day ago.
    const stayA = await stays.admit({ displayName: 'Quality A' }, bedA, new Date(seededAt - 3 * DAY));
    const stayB = await stays.admit({ displayName: 'Quality B' }, bedB, new Date(seededAt - 3 * DAY));
    await stays.discharge(stayB, new Date(seededAt - 1 * DAY));
    const [nurse] = await sys.server.db.query<{ id: string }>(`select id from app_user where username = 'demo-nurse'`);
    // The charge nurse works on both wards: the figures cover her wards only.
    const [chargeUser] = await sys.server.db.query<{ id: string }>(`select id from app_user where username = 'demo-charge'`);
    await sys.server.repositories.users.addWards(chargeUser!.id, [wardId]);

    const insert = async (a: {
      kind: string;
      stayId: string;
      bedId: string;
      openedAgoMs: number;
      ackAfterS?: number;
      resolvedAfterS?: number;
      outcome?: string;
    }) => {
      const opened = seededAt - a.openedAgoMs;
      const at = (afterS: number | undefined) => (afterS === undefined ? null : new Date(opened + afterS * 1000).toISOString());
      await sys.server.db.query(
        `insert into alert (kind, category, priority, state, ward_id, bed_id, stay_id, opened_at, updated_at, acknowledged_at,
                            acknowledged_by_user_id, resolved_at, resolved_by_user_id, outcome, explanation)
         values ($1, $2, 'medium', $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12, '{"summary":"seeded","evidence":[],"painad":[],"unobserved":[],"models":{}}'::jsonb)`,
        [
          a.kind,
          a.kind === 'device_offline' ? 'technical' : 'clinical',
          a.outcome ? 'resolved' : a.ackAfterS !== undefined ? 'acknowledged' : 'firing',
          wardId,
          a.bedId,
          a.stayId,
          new Date(opened).toISOString(),
          at(a.ackAfterS),
          a.ackAfterS !== undefined ? nurse!.id : null,
          at(a.resolvedAfterS),
          a.resolvedAfterS !== undefined ? nurse!.id : null,
          a.outcome ?? null,
        ],
      );
    };
    // In the last 24 h, five distress alerts for stay A: first responses after 60, 120, 300 and 600 s, one unanswered.
    await insert({
      kind: 'sustained_distress',
      stayId: stayA,
      bedId: bedA,
      openedAgoMs: 10 * HOUR,
      ackAfterS: 60,
      resolvedAfterS: 900,
      outcome: 'intervened',
    });
    await insert({
      kind: 'sustained_distress',
      stayId: stayA,
      bedId: bedA,
      openedAgoMs: 9 * HOUR,
      ackAfterS: 120,
      resolvedAfterS: 400,
      outcome: 'false_alarm',
    });
    await insert({
      kind: 'sustained_distress',
      stayId: stayA,
      bedId: bedA,
      openedAgoMs: 8 * HOUR,
      ackAfterS: 300,
      resolvedAfterS: 500,
      outcome: 'false_alarm',
    });
    await insert({ kind: 'sustained_distress', stayId: stayA, bedId: bedA, openedAgoMs: 7 * HOUR }); // firing, nobody answered yet
    await insert({
      kind: 'sustained_distress',
      stayId: stayA,
      bedId: bedA,
      openedAgoMs: 5 * HOUR,
      resolvedAfterS: 600,
      outcome: 'comforted',
    }); // resolved without an acknowledgement
    // Two days ago (inside 7 d), for stay B: a possible-pain alert acknowledged after 30 s, no action needed.
    await insert({
      kind: 'possible_pain',
      stayId: stayB,
      bedId: bedB,
      openedAgoMs: 2 * DAY,
      ackAfterS: 30,
      resolvedAfterS: 90,
      outcome: 'no_action_needed',
    });
    // Forty days ago: outside every period.
    await insert({
      kind: 'sustained_distress',
      stayId: stayB,
      bedId: bedB,
      openedAgoMs: 40 * DAY,
      ackAfterS: 10,
      resolvedAfterS: 20,
      outcome: 'intervened',
    });
  });
  afterAll(async () => sys?.stop());

  const quality = (period: string, cookie = charge) =>
    call(sys.baseUrl, 'GET', `/api/alerts/quality?period=${period}&wardId=${wardId}`, { cookie });

  it('requires authentication, and is for charge nurses only', async () => {
    expect((await call(sys.baseUrl, 'GET', '/api/alerts/quality')).status).toBe(401);
    expect((await quality('24h', await sys.login('demo-nurse'))).status).toBe(403);
    expect((await quality('24h', await sys.login('demo-it'))).status).toBe(403);
    expect((await quality('1y')).status).toBe(400);
  });

  it('gives alerts per patient-day, outcome shares and time to acknowledge over 24 h', async () => {
    const res = await quality('24h');
    expect(res.status).toBe(200);
    expect(res.body.period).toBe('24h');
    expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(DAY);
    expect(res.body.wards).toHaveLength(1);
    const ward = res.body.wards[0];
    // Only stay A was in the ward during the last 24 h (B left 1 day ago): exactly one patient-day.
    expect(ward).toMatchObject({ wardId, wardName: 'Quality ward' });
    expect(ward.patientDays).toBeCloseTo(1, 6);
    expect(ward.kinds).toHaveLength(1);
    const distress = ward.kinds[0];
    expect(distress).toMatchObject({ kind: 'sustained_distress', category: 'clinical', alerts: 5, responded: 4 });
    expect(distress.alertsPerPatientDay).toBeCloseTo(5, 6);
    expect(distress.outcomes).toEqual({
      intervened: { count: 1, share: 0.2 },
      comforted: { count: 1, share: 0.2 },
      no_action_needed: { count: 0, share: 0 },
      false_alarm: { count: 2, share: 0.4 },
      none_recorded: { count: 1, share: 0.2 },
    });
    // Responses after 60, 120, 300, 600 s: median 210 s; 90th percentile 300 + 0.7 x 300 = 510 s.
    expect(distress.timeToAcknowledgeS.median).toBeCloseTo(210, 6);
    expect(distress.timeToAcknowledgeS.p90).toBeCloseTo(510, 6);
  });

  it('counts each stay only for its time in the ward over 7 d and 30 d, and leaves older alerts out', async () => {
    for (const period of ['7d', '30d']) {
      const res = await quality(period);
      expect(res.status).toBe(200);
      const ward = res.body.wards[0];
      // Stay A: 3 days and the few seconds since seeding; stay B: 2 days (admitted 3 days ago, discharged 1 day ago).
      const elapsedDays = (Date.parse(res.body.to) - seededAt) / DAY;
      expect(ward.patientDays).toBeCloseTo(5 + elapsedDays, 6);
      const byKind = Object.fromEntries(ward.kinds.map((k: { kind: string }) => [k.kind, k]));
      expect(Object.keys(byKind).sort()).toEqual(['possible_pain', 'sustained_distress']);
      expect(byKind.sustained_distress.alerts).toBe(5);
      expect(byKind.sustained_distress.alertsPerPatientDay).toBeCloseTo(5 / (5 + elapsedDays), 6);
      expect(byKind.possible_pain).toMatchObject({ alerts: 1, responded: 1, timeToAcknowledgeS: { median: 30, p90: 30 } });
      expect(byKind.possible_pain.outcomes.no_action_needed).toEqual({ count: 1, share: 1 });
      expect(byKind.possible_pain.alertsPerPatientDay).toBeCloseTo(1 / (5 + elapsedDays), 6);
    }
  });

  it('lists every ward of the charge nurse, one without patients or alerts with zero patient-days and no kinds, and no other ward', async () => {
    const res = await call(sys.baseUrl, 'GET', '/api/alerts/quality?period=24h', { cookie: charge });
    expect(res.status).toBe(200);
    const empty = res.body.wards.find((w: { wardId: string }) => w.wardId === sys.wardId);
    expect(empty).toMatchObject({ patientDays: 0, kinds: [] });
    expect(res.body.wards.some((w: { wardId: string }) => w.wardId === wardId)).toBe(true);
    // A ward she does not work on is neither listed nor reachable by id.
    const elsewhere = await sys.server.repositories.wards.create('Quality elsewhere');
    const again = await call(sys.baseUrl, 'GET', '/api/alerts/quality?period=24h', { cookie: charge });
    expect(again.body.wards.map((w: { wardId: string }) => w.wardId)).not.toContain(elsewhere);
    expect((await call(sys.baseUrl, 'GET', `/api/alerts/quality?period=24h&wardId=${elsewhere}`, { cookie: charge })).status).toBe(404);
    const audit = await sys.server.db.query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'alert.quality.read'`);
    expect(audit[0]!.n).toBeGreaterThanOrEqual(4);
  });
});
