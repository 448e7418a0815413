/**
 * A stay's alert sensitivity, set by a charge nurse: the API (role, reason, expiry, audit), the
 * board tile, the distress alert's explanation, and the rule the alert engine applies: with the
 * same windows, a stay set to "higher" alerts sooner than a standard one, and "lower" later.
 */
import type { ScoreWindow } from '@attune/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api.ts';
import { toRuleWindow } from '@attune/server';
import { distressRuleFor, evaluateDistressWindow, initialDistressState, type AlertSensitivity } from '@attune/server/distress-rule';
import { backends, getJson, makeWindow, startTestSystem, type TestDevice, type TestSystem } from '../support/system.ts';

const wearableOnly = { consent: { camera: false, wearable: true } };

/**
 * Five minutes of wearable windows whose distress rises from 0.55 by 0.01 every 5 s to 0.95 and stays
 * there: an episode that builds up, so a more sensitive rule notices it earlier.
 */
function rampEpisode(deviceId: string): ScoreWindow[] {
  const end = Date.now() - 1000;
  return Array.from({ length: 60 }, (_, i) =>
    makeWindow(deviceId, i + 1, new Date(end - (59 - i) * 5000), { distress: Math.min(0.95, 0.55 + 0.01 * i), confidence: 0.9 }),
  );
}

/** The index of the window on which the pure distress rule, at this sensitivity, opens the alert (-1: never). */
function openingIndex(windows: ScoreWindow[], sensitivity: AlertSensitivity): number {
  let state = initialDistressState();
  for (const [i, w] of windows.entries()) {
    const r = evaluateDistressWindow(state, toRuleWindow(w, new Date()), distressRuleFor(sensitivity));
    state = r.state;
    if (r.decision?.type === 'open') return i;
  }
  return -1;
}

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

  it('lapses back to standard 24 h after it was set, for the API, the board and the alert engine', async () => {
    const device = sys.devices[3]!;
    const stayId = device.stayId!;
    const [chargeUser] = await sys.server.db.query<{ id: string }>(`select id from app_user where username = 'demo-charge'`);
    // Set 25 hours ago (through the service, which takes its time from the caller).
    await sys.server.services.stays.setAlertSensitivity(
      stayId,
      { sensitivity: 'lower', reason: 'settled, sleeping' },
      chargeUser!.id,
      new Date(Date.now() - 25 * 3600_000),
    );
    expect((await call(sys.baseUrl, 'GET', `/api/stays/${stayId}/sensitivity`, { cookie: nurse })).body.alertSensitivity).toBeNull();
    const board = await getJson(sys.baseUrl, `/api/wards/${sys.wardId}/board`, nurse);
    expect(board.beds.find((b: { stay: { id: string } | null }) => b.stay?.id === stayId).alertSensitivity).toBeNull();

    // The alert engine applies standard again: the alert opens on the window the standard rule opens on.
    const windows = rampEpisode(device.deviceId);
    const expected = openingIndex(windows, 'standard');
    expect(expected).not.toBe(openingIndex(windows, 'lower'));
    const opened = await feedAlertService(device, windows);
    expect(opened.index).toBe(expected);
    const detail = await getJson(sys.baseUrl, `/api/alerts/${opened.alertId}`, nurse);
    expect(detail.alert.explanation.evidence.some((e: { signal: string }) => e.signal === 'alert_sensitivity')).toBe(false);
  });

  it('with the same windows, "higher" opens the distress alert sooner than standard, and "lower" later; the explanation says so', async () => {
    const [lower, standard, higher] = sys.devices;
    expect((await put(lower!.stayId!, charge, { sensitivity: 'lower', reason: 'chronic pain, known baseline' })).status).toBe(200);
    expect((await put(higher!.stayId!, charge, { sensitivity: 'higher', reason: 'post-operative, cannot call for help' })).status).toBe(
      200,
    );

    // The windows each level's rule opens on, predicted by the pure rule: they must differ for the
    // test to mean anything (the levels would be the same rule otherwise).
    const predicted = {
      lower: openingIndex(rampEpisode(lower!.deviceId), 'lower'),
      standard: openingIndex(rampEpisode(standard!.deviceId), 'standard'),
      higher: openingIndex(rampEpisode(higher!.deviceId), 'higher'),
    };
    expect(predicted.higher).toBeLessThan(predicted.standard);
    expect(predicted.standard).toBeLessThan(predicted.lower);

    // The alert service, given the same windows for the three stays, opens each alert on its level's window.
    expect((await feedAlertService(lower!, rampEpisode(lower!.deviceId))).index).toBe(predicted.lower);
    const s = await feedAlertService(standard!, rampEpisode(standard!.deviceId));
    expect(s.index).toBe(predicted.standard);
    const h = await feedAlertService(higher!, rampEpisode(higher!.deviceId));
    expect(h.index).toBe(predicted.higher);

    // The explanation of the alert names the setting; the standard stay's says nothing of it.
    const detail = await getJson(sys.baseUrl, `/api/alerts/${h.alertId}`, nurse);
    const line = detail.alert.explanation.evidence.find((e: { signal: string }) => e.signal === 'alert_sensitivity');
    expect(line.text).toMatch(
      /^Alert sensitivity: higher until \d\d:\d\d UTC on \d{1,2} \w{3} \(set by Demo Charge Nurse: post-operative, cannot call for help\)$/,
    );
    const plain = await getJson(sys.baseUrl, `/api/alerts/${s.alertId}`, nurse);
    expect(plain.alert.explanation.evidence.some((e: { signal: string }) => e.signal === 'alert_sensitivity')).toBe(false);
  });

  /**
   * Feeds the windows to the server's alert service one by one, each received 1 s after the last
   * (distinct receive times, so the alert's openedAt names the window that opened it), and returns
   * the index of that window.
   */
  async function feedAlertService(device: TestDevice, windows: ScoreWindow[]): Promise<{ index: number; alertId: string }> {
    const alerts = sys.server.services.alerts;
    const base = Date.now();
    const receivedAt = windows.map((_, i) => new Date(base + i * 1000));
    const scope = { stayId: device.stayId!, deviceId: device.deviceId, bedId: device.bedId, wardId: device.wardId };
    for (const [i, w] of windows.entries()) await alerts.onScoreWindow(scope, w, receivedAt[i]!);
    const [row] = await sys.server.db.query<{ id: string; openedAt: Date }>(
      `select id, opened_at as "openedAt" from alert where stay_id = $1 and kind = 'sustained_distress'`,
      [device.stayId],
    );
    if (!row) throw new Error(`no distress alert opened for ${device.deviceId}`);
    return { index: receivedAt.findIndex((t) => t.getTime() === row.openedAt.getTime()), alertId: row.id };
  }
});
