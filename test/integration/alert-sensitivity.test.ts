/**
 * A stay's alert sensitivity, set by a charge nurse: the API (role, reason, expiry, audit), the
 * board tile, the distress alert's explanation, and the rule the alert engine applies: with the
 * same windows, a stay set to "higher" alerts sooner than a standard one, and "lower" later.
 */
import { encodePayload, topics } from '@attune/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api.ts';
import { backends, getJson, makeEpisode, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

const wearableOnly = { consent: { camera: false, wearable: true } };

describe.each(backends())('alert sensitivity on $label', (backend) => {
  let sys: TestSystem;
  let nurse: string;
  let charge: string;
  beforeAll(async () => {
    sys = await startTestSystem({ backend, beds: [wearableOnly, wearableOnly, wearableOnly, wearableOnly] });
    nurse = await sys.login('demo-nurse');
    charge = await sys.login('demo-charge');
  });
  afterAll(async () => sys?.stop());

  const put = (stayId: string, cookie: string | undefined, body: unknown) =>
    call(sys.baseUrl, 'PUT', `/api/stays/${stayId}/sensitivity`, { ...(cookie ? { cookie } : {}), body });

  it('lets only a charge nurse set it, with a reason; it lasts 24 h, is audited and shows on the tile', async () => {
    const stayId = sys.devices[3]!.stayId!;
    expect((await put(stayId, undefined, { sensitivity: 'higher', reason: 'post-operative' })).status).toBe(401);
    const asNurse = await put(stayId, nurse, { sensitivity: 'higher', reason: 'post-operative' });
    expect(asNurse.status).toBe(403);
    const asIt = await put(stayId, await sys.login('demo-it'), { sensitivity: 'higher', reason: 'post-operative' });
    expect(asIt.status).toBe(403);

    const noReason = await put(stayId, charge, { sensitivity: 'higher' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.fields.reason).toBeTruthy();
    const blankReason = await put(stayId, charge, { sensitivity: 'higher', reason: '   ' });
    expect(blankReason.status).toBe(400);
    const badLevel = await put(stayId, charge, { sensitivity: 'maximum', reason: 'post-operative' });
    expect(badLevel.status).toBe(400);
    expect(badLevel.body.error.fields.sensitivity).toBeTruthy();
    expect((await put('00000000-0000-4000-8000-000000000000', charge, { sensitivity: 'higher', reason: 'x-ray' })).status).toBe(404);

    const before = Date.now();
    const set = await put(stayId, charge, { sensitivity: 'higher', reason: 'post-operative, watch closely' });
    expect(set.status).toBe(200);
    const setting = set.body.alertSensitivity;
    expect(setting).toMatchObject({ sensitivity: 'higher', reason: 'post-operative, watch closely', setBy: 'Demo Charge Nurse' });
    expect(Date.parse(setting.expiresAt) - Date.parse(setting.setAt)).toBe(24 * 3600_000);
    expect(Date.parse(setting.setAt)).toBeGreaterThanOrEqual(before - 1000);

    const audit = await sys.server.db.query<{ action: string; detail: Record<string, unknown> }>(
      `select action, detail from audit_log where subject_type = 'stay' and subject_id = $1 and action = 'stay.alert_sensitivity.set'`,
      [stayId],
    );
    expect(audit).toEqual([
      {
        action: 'stay.alert_sensitivity.set',
        detail: { sensitivity: 'higher', reason: 'post-operative, watch closely', expiresAt: setting.expiresAt },
      },
    ]);

    // Any clinical user may read it; the board tile shows it.
    expect((await call(sys.baseUrl, 'GET', `/api/stays/${stayId}/sensitivity`, { cookie: nurse })).body.alertSensitivity).toEqual(setting);
    const board = await getJson(sys.baseUrl, `/api/wards/${sys.wardId}/board`, nurse);
    const tile = board.beds.find((b: { stay: { id: string } | null }) => b.stay?.id === stayId);
    expect(tile.alertSensitivity).toEqual(setting);
    const otherTile = board.beds.find((b: { stay: { id: string } | null }) => b.stay?.id === sys.devices[2]!.stayId);
    expect(otherTile.alertSensitivity).toBeNull();
  });

  it('lapses back to standard 24 h after it was set', async () => {
    const stayId = sys.devices[3]!.stayId!;
    const charge = await sys.server.db.query<{ id: string }>(`select id from app_user where username = 'demo-charge'`);
    // Set 25 hours ago (through the service, which takes its time from the caller).
    await sys.server.services.stays.setAlertSensitivity(
      stayId,
      { sensitivity: 'lower', reason: 'settled, sleeping' },
      charge[0]!.id,
      new Date(Date.now() - 25 * 3600_000),
    );
    expect((await call(sys.baseUrl, 'GET', `/api/stays/${stayId}/sensitivity`, { cookie: nurse })).body.alertSensitivity).toBeNull();
    const board = await getJson(sys.baseUrl, `/api/wards/${sys.wardId}/board`, nurse);
    expect(board.beds.find((b: { stay: { id: string } | null }) => b.stay?.id === stayId).alertSensitivity).toBeNull();

    // The alert engine applies standard again: 65 s of distress open the alert ("lower" needs 120 s),
    // and its explanation names no setting.
    const device = sys.devices[3]!;
    await sys.publishScores(
      device.deviceId,
      makeEpisode(device.deviceId, 1, 13, new Date(Date.now() - 1000), { distress: 0.9, confidence: 0.9 }),
    );
    const [alert] = await waitFor(
      () =>
        sys.server.db
          .query<{ id: string }>(`select id from alert where stay_id = $1 and kind = 'sustained_distress'`, [stayId])
          .then((r) => (r.length ? r : null)),
      'the distress alert under the lapsed setting',
    );
    const detail = await getJson(sys.baseUrl, `/api/alerts/${alert!.id}`, nurse);
    expect(detail.alert.explanation.evidence.some((e: { signal: string }) => e.signal === 'alert_sensitivity')).toBe(false);
  });

  it('with the same windows, "higher" opens the distress alert sooner than standard, and "lower" later; the explanation says so', async () => {
    const [lower, standard, higher] = sys.devices;
    expect((await put(lower!.stayId!, charge, { sensitivity: 'lower', reason: 'chronic pain, known baseline' })).status).toBe(200);
    expect((await put(higher!.stayId!, charge, { sensitivity: 'higher', reason: 'post-operative, cannot call for help' })).status).toBe(
      200,
    );

    // 40 windows (200 s) of confident distress, published in lockstep: for each window, lower first,
    // then standard, then higher. An alert opened by the same window would then be stamped earlier
    // for lower than for standard, and for standard than for higher: the ordering asserted below
    // holds only if the sensitivity truly changed when each alert opened.
    const episode = (deviceId: string) => makeEpisode(deviceId, 1, 40, new Date(Date.now() - 1000), { distress: 0.9, confidence: 0.9 });
    const windows = new Map([lower!, standard!, higher!].map((d) => [d.deviceId, episode(d.deviceId)]));
    const clients = await Promise.all([lower!, standard!, higher!].map((d) => sys.connectDevice(d.deviceId)));
    for (let i = 0; i < 40; i++) {
      for (const [k, d] of [lower!, standard!, higher!].entries()) {
        await clients[k]!.publishAsync(topics.scores(d.deviceId), encodePayload('scores', windows.get(d.deviceId)![i]!), { qos: 1 });
      }
    }
    await Promise.all(clients.map((c) => c.endAsync()));

    const openedAt = async (stayId: string) => {
      const [row] = await sys.server.db.query<{ openedAt: Date; id: string }>(
        `select opened_at as "openedAt", id from alert where stay_id = $1 and kind = 'sustained_distress'`,
        [stayId],
      );
      return row ?? null;
    };
    const [h, s] = await waitFor(async () => {
      const both = await Promise.all([openedAt(higher!.stayId!), openedAt(standard!.stayId!)]);
      return both[0] && both[1] ? both : null;
    }, 'the distress alerts of the higher and standard stays');
    expect(h!.openedAt.getTime()).toBeLessThan(s!.openedAt.getTime());
    const l = await waitFor(() => openedAt(lower!.stayId!), 'the lower stay alert');
    expect(l.openedAt.getTime()).toBeGreaterThan(s!.openedAt.getTime());

    // The explanation of the alert names the setting; the standard stay's says nothing of it.
    const detail = await getJson(sys.baseUrl, `/api/alerts/${h!.id}`, nurse);
    const line = detail.alert.explanation.evidence.find((e: { signal: string }) => e.signal === 'alert_sensitivity');
    expect(line.text).toMatch(
      /^Alert sensitivity: higher until \d\d:\d\d UTC on \d{1,2} \w{3} \(set by Demo Charge Nurse: post-operative, cannot call for help\)$/,
    );
    const plain = await getJson(sys.baseUrl, `/api/alerts/${s!.id}`, nurse);
    expect(plain.alert.explanation.evidence.some((e: { signal: string }) => e.signal === 'alert_sensitivity')).toBe(false);
  });
});
