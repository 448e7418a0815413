/**
 * Need-to-know, by content: what each user receives, not only whether a route opens. Nurses of
 * ward B see nothing of ward A (lists and the live stream); technical staff see every ward's devices
 * and technical alerts with bed labels, and never a patient's name, a score or a clinical alert.
 * The consent text promises exactly this. A live stream ends when its user is deactivated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@attune/server';
import { call } from '../support/api.ts';
import { openSse, type SseClient } from '../support/sse.ts';
import { backends, makeWindow, seedTestWard, startTestSystem, type TestDevice, type TestSystem } from '../support/system.ts';

for (const backend of backends()) {
  describe(`need-to-know on '${backend.label}'`, () => {
    let sys: TestSystem;
    let wardA: string;
    let wardB: string;
    let devicesA: TestDevice[];
    let devicesB: TestDevice[];
    let nurseA: string;
    let nurseB: string;
    let itAdmin: string;
    let nurseBUserId: string;

    const createUser = async (username: string, wardIds: string[]) => {
      const users = sys.server.repositories.users;
      const id = await users.upsert({ username, displayName: username, role: 'nurse', passwordHash: await hashPassword(username) });
      await users.addWards(id, wardIds);
      return id;
    };

    beforeAll(async () => {
      sys = await startTestSystem({ backend });
      wardA = sys.wardId;
      devicesA = sys.devices;
      ({ wardId: wardB, devices: devicesB } = await seedTestWard(sys.server, [{ consent: { camera: false, wearable: true } }]));
      await createUser('ntk-nurse-a', [wardA]);
      nurseBUserId = await createUser('ntk-nurse-b', [wardB]);
      [nurseA, nurseB, itAdmin] = [await sys.login('ntk-nurse-a'), await sys.login('ntk-nurse-b'), await sys.login('demo-it')];
    }, 120_000);
    afterAll(async () => {
      await sys?.stop();
    });

    const patientNames = ['Patient 1', 'Patient 2', 'Patient 3', 'Patient 4'];

    it('lists only the user’s own wards and their alerts; every ward (names only) for technical staff', async () => {
      const wardsOf = async (cookie: string) =>
        (await call(sys.baseUrl, 'GET', '/api/wards', { cookie })).body.wards.map((w: { id: string }) => w.id);
      expect(await wardsOf(nurseA)).toEqual([wardA]);
      expect(await wardsOf(nurseB)).toEqual([wardB]);
      expect(await wardsOf(itAdmin)).toEqual(expect.arrayContaining([wardA, wardB]));

      // One clinical and one technical alert on ward A.
      const main = devicesA[0]!;
      await sys.server.db.query(
        `insert into alert (kind, category, priority, state, ward_id, bed_id, stay_id, opened_at, updated_at, note, explanation)
         values ('sustained_distress', 'clinical', 'medium', 'firing', $1, $2, $3, now(), now(), 'asked for her daughter',
                 '{"summary":"seeded","evidence":[],"painad":[],"unobserved":[],"models":{}}'::jsonb)`,
        [wardA, main.bedId, main.stayId],
      );
      await sys.server.services.alerts.deviceOffline(
        { deviceId: main.deviceId, bedId: main.bedId, wardId: wardA, stayId: null },
        new Date(Date.now() - 120_000),
        new Date(),
      );
      const alertsOf = async (cookie: string, query = '') =>
        (await call(sys.baseUrl, 'GET', `/api/alerts${query}`, { cookie })).body.alerts as {
          kind: string;
          category: string;
          wardId: string;
          bedLabel: string | null;
          patientName: string | null;
          stayId: string | null;
          note: string | null;
        }[];
      const ofA = await alertsOf(nurseA);
      expect(ofA.map((a) => a.kind).sort()).toEqual(['device_offline', 'sustained_distress']);
      expect(await alertsOf(nurseB)).toEqual([]);
      expect((await call(sys.baseUrl, 'GET', `/api/alerts?wardId=${wardA}`, { cookie: nurseB })).status).toBe(404);

      const ofIt = (await alertsOf(itAdmin)).filter((a) => a.wardId === wardA);
      expect(ofIt.map((a) => a.kind)).toEqual(['device_offline']);
      expect(ofIt[0]).toMatchObject({ category: 'technical', bedLabel: 'Bed 1', patientName: null, stayId: null, note: null });

      // The fleet: beds and technical state, no patient anywhere in the answer.
      const devices = await call(sys.baseUrl, 'GET', '/api/devices', { cookie: itAdmin });
      expect(devices.status).toBe(200);
      const fleet = JSON.stringify(devices.body);
      for (const name of patientNames) expect(fleet).not.toContain(name);
      expect(devices.body.devices.map((d: { id: string }) => d.id)).toEqual(
        expect.arrayContaining([...devicesA, ...devicesB].map((d) => d.deviceId)),
      );
    });

    it('streams each user only what they may see, filtered on the server', async () => {
      const streams: SseClient[] = [];
      const open = async (cookie: string) => {
        const s = await openSse(`${sys.baseUrl}/api/events`, cookie);
        streams.push(s);
        return s;
      };
      try {
        const [a, b, it_] = [await open(nurseA), await open(nurseB), await open(itAdmin)];
        const main = devicesA[0]!;
        // Ward A: scores, a technical alert, a consent change from the board.
        await sys.publishScores(main.deviceId, [makeWindow(main.deviceId, 1, new Date(), { distress: 0.2, confidence: 0.9 })]);
        await sys.server.services.alerts.deviceOffline(
          { deviceId: devicesA[1]!.deviceId, bedId: devicesA[1]!.bedId, wardId: wardA, stayId: null },
          new Date(Date.now() - 120_000),
          new Date(),
        );
        expect((await call(sys.baseUrl, 'POST', `/api/stays/${devicesA[1]!.stayId}/consent/stop`, { cookie: nurseA })).status).toBe(200);
        // Then one ward B event: once nurse B has it, anything of ward A would already have arrived before it.
        expect((await call(sys.baseUrl, 'POST', `/api/stays/${devicesB[0]!.stayId}/consent/stop`, { cookie: nurseB })).status).toBe(200);

        await a.waitFor((e) => e.event === 'score', 'ward A score for nurse A');
        await a.waitFor((e) => e.event === 'consent', 'ward A consent for nurse A');
        await a.waitFor((e) => e.event === 'alert', 'ward A alert for nurse A');
        await b.waitFor((e) => e.event === 'consent', 'ward B consent for nurse B');
        const wardOf = (data: unknown) => (data as { wardId?: string | null }).wardId;
        expect(b.events.filter((e) => wardOf(e.data) === wardA)).toEqual([]);
        expect(a.events.filter((e) => wardOf(e.data) === wardB)).toEqual([]);

        const technical = await it_.waitFor(
          (e) => e.event === 'alert' && (e.data as { bedLabel: string }).bedLabel === 'Bed 2',
          'the bed 2 technical alert for technical staff',
        );
        expect(technical.data).toMatchObject({ kind: 'device_offline', bedLabel: 'Bed 2', patientName: null, stayId: null, note: null });
        // Give the stream the ward B event's time to arrive too, then check nothing clinical came.
        await new Promise((r) => setTimeout(r, 500));
        expect(it_.events.map((e) => e.event).filter((t) => !['alert', 'device', 'monitoring'].includes(t))).toEqual([]);
        expect(it_.events.filter((e) => e.event === 'alert' && (e.data as { category: string }).category !== 'technical')).toEqual([]);
        const itText = JSON.stringify(it_.events);
        for (const name of patientNames) expect(itText).not.toContain(name);

        // Deactivating nurse B ends her live stream at the next session re-check (every 15 s).
        await sys.server.db.query(`update app_user set is_active = false where id = $1`, [nurseBUserId]);
        const endedAt = await Promise.race([
          b.ended.then(() => 'ended'),
          new Promise((r) => setTimeout(() => r('still open after 45 s'), 45_000)),
        ]);
        expect(endedAt).toBe('ended');
        expect((await call(sys.baseUrl, 'GET', '/api/wards', { cookie: nurseB })).status).toBe(401);
      } finally {
        for (const s of streams) s.close();
      }
    }, 90_000);
  });
}
