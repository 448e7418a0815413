/**
 * The alert engine after a restart. A window is acknowledged once it is committed, and the alert it
 * calls for is written just after; a server that dies in between must open that alert when it
 * comes back, and must not reopen an alert a nurse resolved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api.ts';
import { backends, getJson, makeEpisode, startTestSystem, storeWindowsUnevaluated, waitFor, type TestSystem } from '../support/system.ts';

describe.each(backends())('alert engine rebuild on $label', (backend) => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem({ backend, beds: [{ consent: { camera: false, wearable: true } }] });
  });
  afterAll(async () => sys?.stop());

  const distressAlerts = async (cookie: string) =>
    ((await getJson(sys.baseUrl, `/api/alerts?wardId=${sys.wardId}&state=open`, cookie)).alerts as { id: string; kind: string }[]).filter(
      (a) => a.kind === 'sustained_distress',
    );

  it('opens the alert that stored windows called for when the process stopped before writing it, and never one a nurse resolved', async () => {
    const device = sys.devices[0]!;
    // Two minutes (24 windows) of sustained distress, enough for the evidence rule to open the alert,
    // committed as ingest commits them, but no alert written: what a crash between the commit and the
    // alert leaves behind.
    const episode = makeEpisode(device.deviceId, 1, 24, new Date(Date.now() - 1000), { distress: 0.9, confidence: 0.9 });
    await storeWindowsUnevaluated(sys, device.stayId, episode);
    let cookie = await sys.login();
    expect(await distressAlerts(cookie)).toEqual([]);

    await sys.restartServer();
    cookie = await sys.login();
    const [opened] = await waitFor(async () => {
      const open = await distressAlerts(cookie);
      return open.length > 0 ? open : null;
    }, 'the distress alert after the restart');
    expect((await distressAlerts(cookie)).length).toBe(1);

    const resolved = await call(sys.baseUrl, 'POST', `/api/alerts/${opened!.id}/resolve`, { cookie, body: { outcome: 'comforted' } });
    expect(resolved.status).toBe(200);
    await sys.restartServer();
    cookie = await sys.login();
    // The windows before the resolution do not count again after a restart.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await distressAlerts(cookie)).toEqual([]);
  });

  it('escalates and clears the open alert as the stored windows called for, when the process stopped before writing it', async () => {
    const device = sys.devices[0]!;
    const startMs = Date.now() - 12 * 60_000;
    // Two minutes of distress through ingest: the alert opens at medium priority.
    await sys.publishScores(
      device.deviceId,
      makeEpisode(device.deviceId, 100, 24, new Date(startMs + 2 * 60_000), { distress: 0.9, confidence: 0.9 }),
    );
    let cookie = await sys.login();
    const openAlert = async () =>
      (await distressAlerts(cookie))[0] as { id: string; priority: string; conditionActive: boolean } | undefined;
    await waitFor(async () => (await openAlert())?.priority === 'medium', 'the medium-priority distress alert');
    // One more minute of distress, stored but not evaluated: enough evidence for high priority.
    await storeWindowsUnevaluated(
      sys,
      device.stayId,
      makeEpisode(device.deviceId, 124, 12, new Date(startMs + 3 * 60_000), { distress: 0.9, confidence: 0.9 }),
    );
    await sys.restartServer();
    cookie = await sys.login();
    await waitFor(async () => (await openAlert())?.priority === 'high', 'the alert escalated after the restart');
    // Six calm minutes, stored but not evaluated: the evidence fell to 0 and stayed there for two minutes.
    await storeWindowsUnevaluated(
      sys,
      device.stayId,
      makeEpisode(device.deviceId, 136, 72, new Date(startMs + 9 * 60_000), { distress: 0.1, confidence: 0.9 }),
    );
    await sys.restartServer();
    cookie = await sys.login();
    await waitFor(async () => (await openAlert())?.conditionActive === false, 'the condition cleared after the restart');
    expect((await distressAlerts(cookie)).length).toBe(1);
  });
});
