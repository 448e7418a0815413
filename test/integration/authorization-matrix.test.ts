/**
 * The authorization matrix, derived from the server's own route table: every route the HTTP app
 * registers must have an entry here, and every entry is tried as each kind of caller (anonymous,
 * a nurse and a charge nurse of the ward, a nurse and a charge nurse of another ward, it_admin, and a
 * bedside tablet) with the status that caller must get. A new route without an entry fails the
 * first test; a route that lets the wrong caller in fails the second.
 *
 * Each caller works on its own copy of ward A (same beds, stays, alerts), so one caller's
 * discharge or consent stop never changes what the next caller is checked against. Ward B is
 * shared: only its own nurses work there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@attune/server';
import { call, cookieFrom, type Json } from '../support/api.ts';
import { CALLERS, CONDITIONAL_ROUTES, MATRIX, type Caller, type MatrixRequest, type WardFixture } from '../support/authorization-matrix.ts';
import { backends, seedTestWard, startTestSystem, type TestBed, type TestSystem } from '../support/system.ts';

const FIXTURE_BEDS: TestBed[] = [
  { consent: { camera: true, wearable: true } }, // main
  { consent: { camera: false, wearable: true } }, // transfer
  { consent: { camera: false, wearable: true } }, // discharge
  { consent: { camera: false, wearable: true } }, // consent stop
  { consent: null }, // free
  { consent: null }, // free 2
];

for (const backend of backends()) {
  describe(`authorization matrix on '${backend.label}'`, () => {
    let sys: TestSystem;
    let wardBId: string;
    const cookies = new Map<Caller, string>();
    const fixtures = new Map<Caller, WardFixture>();

    const createUser = async (username: string, role: 'nurse' | 'charge_nurse', wardIds: string[]) => {
      const id = await sys.server.repositories.users.upsert({
        username,
        displayName: username,
        role,
        passwordHash: await hashPassword(username),
      });
      await sys.server.repositories.users.addWards(id, wardIds);
      return id;
    };

    const insertAlert = async (a: {
      category: 'clinical' | 'technical';
      wardId: string;
      bedId: string;
      stayId: string | null;
      deviceId: string | null;
    }) => {
      const [row] = await sys.server.db.query<{ id: string }>(
        `insert into alert (kind, category, priority, state, ward_id, bed_id, stay_id, device_id, opened_at, updated_at, explanation)
         values ($1, $2, 'medium', 'firing', $3, $4, $5, $6, now(), now(),
                 '{"summary":"seeded","evidence":[],"painad":[],"unobserved":[],"models":{}}'::jsonb) returning id`,
        [a.category === 'clinical' ? 'sustained_distress' : 'device_offline', a.category, a.wardId, a.bedId, a.stayId, a.deviceId],
      );
      return row!.id;
    };

    /** A fresh copy of ward A for one caller, with a nurse and a charge nurse who work there. */
    const seedWardA = async (caller: Caller): Promise<{ fixture: WardFixture; nurse: string; charge: string }> => {
      const suffix = caller.toLowerCase();
      const { wardId, devices } = await seedTestWard(sys.server, FIXTURE_BEDS, { suffix: `m${suffix}` });
      const [main, transfer, discharge, stop, free, free2] = devices as [(typeof devices)[number], ...typeof devices];
      const nurse = `nurse-a-${suffix}`;
      const charge = `charge-a-${suffix}`;
      await createUser(nurse, 'nurse', [wardId]);
      await createUser(charge, 'charge_nurse', [wardId]);
      const targetUserId = await createUser(`target-${suffix}`, 'nurse', [wardId]);
      const text = await sys.server.services.tablets.text('en');
      const fixture: WardFixture = {
        wardId,
        mainStayId: main.stayId!,
        mainBedId: main.bedId,
        mainDeviceId: main.deviceId,
        transferStayId: transfer!.stayId!,
        dischargeStayId: discharge!.stayId!,
        stopStayId: stop!.stayId!,
        freeBedId: free!.bedId,
        freeBed2Id: free2!.bedId,
        clinicalAlertId: await insertAlert({ category: 'clinical', wardId, bedId: main.bedId, stayId: main.stayId, deviceId: null }),
        technicalAlertId: await insertAlert({ category: 'technical', wardId, bedId: main.bedId, stayId: null, deviceId: main.deviceId }),
        targetUserId,
        consentTextHash: text.hash,
      };
      return { fixture, nurse, charge };
    };

    beforeAll(async () => {
      sys = await startTestSystem({
        backend,
        beds: [],
        env: {
          OIDC_ISSUER: 'http://127.0.0.1:9/directory',
          OIDC_CLIENT_ID: 'attune',
          OIDC_CLIENT_SECRET: 'matrix-test-secret',
          OIDC_ROLE_MAP: '{"ward-nurses":"nurse"}',
          PUBLIC_URL: 'http://127.0.0.1:9',
        },
      });
      wardBId = await sys.server.repositories.wards.create('Matrix ward B');
      await sys.server.repositories.wards.addBed(wardBId, 'B1', 1);
      await createUser('nurse-b', 'nurse', [wardBId]);
      await createUser('charge-b', 'charge_nurse', [wardBId]);
      for (const caller of CALLERS) {
        const { fixture, nurse, charge } = await seedWardA(caller);
        fixtures.set(caller, fixture);
        if (caller === 'nurseA') cookies.set(caller, await sys.login(nurse));
        if (caller === 'chargeA') cookies.set(caller, await sys.login(charge));
        if (caller === 'nurseB') cookies.set(caller, await sys.login('nurse-b'));
        if (caller === 'chargeB') cookies.set(caller, await sys.login('charge-b'));
        if (caller === 'itAdmin') cookies.set(caller, await sys.login('demo-it'));
        if (caller === 'tablet') {
          // The tablet is paired through the API, as a nurse of the ward does it.
          const nurseCookie = await sys.login(nurse);
          const pairing = await call(sys.baseUrl, 'POST', `/api/beds/${fixture.mainBedId}/tablet-pairing`, { cookie: nurseCookie });
          expect(pairing.status, JSON.stringify(pairing.body)).toBe(201);
          const paired = await call(sys.baseUrl, 'POST', '/api/tablet/pair', { body: { wardId: fixture.wardId, code: pairing.body.code } });
          expect(paired.status, JSON.stringify(paired.body)).toBe(200);
          cookies.set(caller, cookieFrom(paired.headers, 'attune_tablet'));
        }
      }
    }, 180_000);
    afterAll(async () => {
      await sys?.stop();
    });

    it('has an entry for every route the server registers, and no entry for a route it does not have', () => {
      const registered = sys.server.routes.map((r) => `${r.method} ${r.path}`);
      const missing = registered.filter((key) => !(key in MATRIX));
      expect(missing, 'routes without an authorization matrix entry').toEqual([]);
      const stale = Object.keys(MATRIX).filter((key) => !registered.includes(key) && !CONDITIONAL_ROUTES.has(key));
      expect(stale, 'matrix entries for routes the server no longer has').toEqual([]);
    });

    it('answers every route as each caller must be answered', async () => {
      const registered = new Set(sys.server.routes.map((r) => `${r.method} ${r.path}`));
      const wrong: string[] = [];
      let checked = 0;
      for (const caller of CALLERS) {
        const fixture = fixtures.get(caller)!;
        const cookie = cookies.get(caller);
        for (const [route, entries] of Object.entries(MATRIX)) {
          if (!registered.has(route)) continue;
          for (const entry of entries) {
            const request = entry.request(fixture);
            const status = await send(sys.baseUrl, request, cookie);
            const expected = entry.expected[caller];
            const allowed = typeof expected === 'number' ? [expected] : expected;
            checked++;
            if (!allowed.includes(status.code)) {
              wrong.push(
                `${caller.padEnd(9)} ${request.method} ${request.path}: ${status.code}, expected ${allowed.join(' or ')} (${entry.why}) ${status.detail}`,
              );
            }
          }
        }
      }
      console.log(`[${sys.label}] authorization matrix: ${checked} requests checked, ${wrong.length} wrong`);
      expect(wrong).toEqual([]);
    }, 180_000);
  });
}

async function send(baseUrl: string, request: MatrixRequest, cookie: string | undefined): Promise<{ code: number; detail: string }> {
  if (request.stream) {
    const controller = new AbortController();
    const res = await fetch(`${baseUrl}${request.path}`, { headers: cookie ? { cookie } : {}, signal: controller.signal });
    controller.abort();
    return { code: res.status, detail: '' };
  }
  // Redirects are answers too (the sign-in flow): never follow them.
  const res = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    redirect: 'manual',
    headers: { ...(cookie ? { cookie } : {}), ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
  });
  const text = await res.text();
  let code = '';
  try {
    code = (JSON.parse(text) as Json)?.error?.code ?? '';
  } catch {
    // not JSON: a page or a redirect
  }
  return { code: res.status, detail: code ? `[${code}]` : (res.headers.get('location') ?? '') };
}
