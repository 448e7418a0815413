/**
 * Tablet pairing is limited per ward as well as per address (docs/tablet-pairing.md): wrong codes
 * from many source addresses (on Linux all of 127.0.0.0/8 is loopback, so each request binds its
 * own local address) are stopped by the ward's budget even though every address stays under its
 * own limit; the pause holds for correct codes on that ward too, not for other wards. Made-up ward
 * ids fail like wrong codes and count nowhere; pairing codes are made only by nurses of the bed's
 * ward. Runs on the embedded defaults and, when configured, on PostgreSQL + Mosquitto.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@attune/server';
import { call, pairFrom, type Json } from '../support/api.ts';
import { readMetric } from '../support/metrics.ts';
import { backends, seedTestWard, startTestSystem, type TestDevice, type TestSystem } from '../support/system.ts';

/** The default TABLET_PAIR_FAILURES_PER_WARD_PER_10MIN. */
const WARD_BUDGET = 30;

/** A six-digit code that is not `live`. */
const wrongCode = (i: number, live: string[]) => {
  for (let n = i; ; n++) {
    const code = String((n * 7919) % 1_000_000).padStart(6, '0');
    if (!live.includes(code)) return code;
  }
};

describe.each(backends())('tablet pairing limits on $label', (backend) => {
  let sys: TestSystem;
  let nurse: string;
  let otherWard: { wardId: string; devices: TestDevice[] };
  let thirdWard: { wardId: string; devices: TestDevice[] };
  let thirdWardNurse: string;

  const audit = (action: string) =>
    sys.server.db.query<{ subjectId: string | null; detail: Json }>(
      `select subject_id as "subjectId", detail from audit_log where action = $1 order by id`,
      [action],
    );
  const createPairing = (bedId: string, cookie = nurse) => call(sys.baseUrl, 'POST', `/api/beds/${bedId}/tablet-pairing`, { cookie });

  beforeAll(async () => {
    sys = await startTestSystem({ backend, beds: [{ consent: 'no-consent' }, { consent: 'no-consent' }] });
    // demo-nurse works on every seeded ward; the third ward also gets a nurse who works only there.
    otherWard = await seedTestWard(sys.server, [{ consent: 'no-consent' }]);
    thirdWard = await seedTestWard(sys.server, [{ consent: 'no-consent' }]);
    const { users } = sys.server.repositories;
    const userId = await users.upsert({
      username: 'third-ward-nurse',
      displayName: 'Third Ward Nurse',
      role: 'nurse',
      passwordHash: await hashPassword('third-ward-nurse'),
    });
    await users.addWards(userId, [thirdWard.wardId]);
    nurse = await sys.login('demo-nurse');
    thirdWardNurse = await sys.login('third-ward-nurse');
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('lists the wards a tablet can be on, names only, without a session', async () => {
    const res = await call(sys.baseUrl, 'GET', '/api/tablet/wards');
    expect(res.status).toBe(200);
    expect(res.body.wards.map((w: Json) => w.id).sort()).toEqual([sys.wardId, otherWard.wardId, thirdWard.wardId].sort());
    for (const w of res.body.wards) expect(Object.keys(w).sort()).toEqual(['id', 'name']);
  });

  it('makes pairing codes only for a nurse of the bed’s ward: elsewhere 404, exactly as an unknown bed', async () => {
    const bedOnA = sys.devices[0]!.bedId;
    const foreign = await createPairing(bedOnA, thirdWardNurse);
    const unknown = await createPairing(crypto.randomUUID(), thirdWardNurse);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(unknown.body);
    expect(foreign.body.error.message).toBe('No such bed');
    // No code was made for the bed she does not work on.
    expect((await audit('tablet.pairing.create')).filter((a) => a.detail.bedId === bedOnA)).toEqual([]);
    // On her own ward she can (so the 404 above is about the ward, not her role).
    const own = await createPairing(thirdWard.devices[0]!.bedId, thirdWardNurse);
    expect(own.status).toBe(201);
    expect(own.body.pairUrl).toBe(`/tablet?ward=${thirdWard.wardId}&code=${own.body.code}`);
    expect(own.body.qrSvg).toMatch(/^<svg/);
  });

  it('answers made-up ward ids like a wrong code, counts them per address only, and does not crash', async () => {
    const bed = sys.devices[1]!;
    const pairing = await createPairing(bed.bedId);
    expect(pairing.status).toBe(201);
    const wrongOnRealWard = await pairFrom(sys.baseUrl, '127.0.1.1', { wardId: sys.wardId, code: wrongCode(1, [pairing.body.code]) });
    expect(wrongOnRealWard.status).toBe(400);
    const garbage: unknown[] = [
      crypto.randomUUID(),
      '00000000-0000-0000-0000-000000000000',
      'not-a-ward',
      '',
      '__proto__',
      'constructor',
      `${sys.wardId}'; drop table ward; --`,
      `{${sys.wardId}}`,
      sys.wardId.replace(/-/g, ''),
      ` ${sys.wardId}`,
      'x'.repeat(200),
    ];
    // The right code with a made-up ward: every answer is the wrong-code answer, and the code stays usable.
    for (const [i, wardId] of garbage.entries()) {
      const res = await pairFrom(sys.baseUrl, `127.0.2.${i + 1}`, { wardId, code: pairing.body.code });
      expect({ wardId, status: res.status, body: res.body }).toEqual({
        wardId,
        status: wrongOnRealWard.status,
        body: wrongOnRealWard.body,
      });
    }
    // Not strings at all, control characters, too long: a malformed body, still a 400, never a 500.
    for (const [i, wardId] of [null, 42, ['x'], { id: sys.wardId }, '\u0000', 'x'.repeat(201)].entries()) {
      expect((await pairFrom(sys.baseUrl, `127.0.3.${i + 1}`, { wardId, code: pairing.body.code })).status).toBe(400);
    }
    // Made-up wards count against the address: the 11th try from one address within the minute is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await pairFrom(sys.baseUrl, '127.0.4.1', { wardId: crypto.randomUUID(), code: '123456' })).status);
    expect(statuses).toEqual([...Array<number>(10).fill(400), 429]);
    // ... and against no ward: nothing was paused, no failure was recorded for a made-up ward id, and the code still pairs.
    expect(await audit('tablet.pair_paused')).toEqual([]);
    const failures = await audit('tablet.pair_failed');
    expect(new Set(failures.map((f) => f.detail.wardId))).toEqual(new Set([sys.wardId, null]));
    const paired = await pairFrom(sys.baseUrl, '127.0.5.1', { wardId: sys.wardId, code: pairing.body.code });
    expect(paired.status).toBe(200);
    expect(paired.body.tablet.stayId).toBe(bed.stayId);
  });

  it('stops wrong codes from 21 addresses by the ward budget (429 + Retry-After for everyone on that ward); other wards still pair', async () => {
    const bedOnA = sys.devices[0]!;
    const bedOnB = otherWard.devices[0]!;
    const codeOnA = (await createPairing(bedOnA.bedId)).body;
    const codeOnB = (await createPairing(bedOnB.bedId)).body;
    const live = [codeOnA.code, codeOnB.code];
    const failedBefore = (await audit('tablet.pair_failed')).filter((f) => f.detail.wardId === sys.wardId).length;
    expect(failedBefore).toBeLessThan(WARD_BUDGET);

    // Two wrong codes from each of 21 addresses (each far under its 10 per minute); the ward's
    // budget is spent after WARD_BUDGET - failedBefore of them. Upper-case spellings of the ward's id
    // count on the same ward.
    const results: { address: string; status: number; code: string | undefined; retryAfter: string | undefined }[] = [];
    const guessingStartedMs = Date.now();
    for (let round = 0; round < 2; round++) {
      for (let host = 2; host <= 22; host++) {
        const address = `127.0.0.${host}`;
        const wardId = host % 2 ? sys.wardId.toUpperCase() : sys.wardId;
        const res = await pairFrom(sys.baseUrl, address, { wardId, code: wrongCode(round * 100 + host, live) });
        results.push({ address, status: res.status, code: res.body?.error?.code, retryAfter: res.retryAfter });
      }
    }
    const allowed = WARD_BUDGET - failedBefore;
    expect(results.slice(0, allowed).map((r) => r.status)).toEqual(Array<number>(allowed).fill(400));
    const refused = results.slice(allowed);
    expect(refused.length).toBeGreaterThan(0);
    // The pause lasts one 10-minute window from the failure that spent the budget (during this loop).
    const elapsedS = Math.ceil((Date.now() - guessingStartedMs) / 1000);
    for (const r of refused) {
      expect({ status: r.status, code: r.code }).toEqual({ status: 429, code: 'pairing_paused' });
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(10 * 60 - elapsedS);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(10 * 60);
    }
    // No single address reached its own limit.
    expect(results.filter((r) => r.code === 'rate_limited')).toEqual([]);

    // The right code on the paused ward is refused too, from a fresh address, and stays unused.
    const correctOnA = await pairFrom(sys.baseUrl, '127.0.0.23', { wardId: sys.wardId, code: codeOnA.code });
    expect(correctOnA.status).toBe(429);
    expect(correctOnA.body.error.code).toBe('pairing_paused');
    expect(correctOnA.body.error.message).toBe(
      `Pairing on this ward is paused for ${Math.ceil(Number(correctOnA.retryAfter) / 60)} minutes after too many wrong codes; this has been reported`,
    );
    expect(correctOnA.setCookie).toEqual([]);
    expect(
      await sys.server.db.query(`select 1 from tablet_pairing p join bed b on b.id = p.bed_id where b.id = $1 and p.used_at is null`, [
        bedOnA.bedId,
      ]),
    ).toHaveLength(1);

    // Another ward pairs during the pause, even from an address that took part in the guessing.
    const correctOnB = await pairFrom(sys.baseUrl, '127.0.0.2', { wardId: otherWard.wardId, code: codeOnB.code });
    expect(correctOnB.status).toBe(200);
    expect(correctOnB.body.tablet.stayId).toBe(bedOnB.stayId);

    // Reported once: one audit entry, one count in the metric.
    const paused = await audit('tablet.pair_paused');
    expect(paused.map((p) => p.subjectId)).toEqual([sys.wardId]);
    expect(paused[0]!.detail.failedCodes).toBe(WARD_BUDGET);
    expect(await readMetric(sys.baseUrl, 'attune_tablet_pairing_paused_total')).toBe(1);
    // Refused attempts were not tried: exactly the budget of failures was recorded for the ward.
    expect((await audit('tablet.pair_failed')).filter((f) => f.detail.wardId === sys.wardId)).toHaveLength(WARD_BUDGET);
  });
});
