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
    type Alert = { id: string; priority: string; conditionActive: boolean };
    const openAlert = async () => (await distressAlerts(cookie))[0] as Alert | undefined;
    await waitFor(async () => (await openAlert())?.priority === 'medium', 'the medium-priority distress alert');
    /** Windows stored but not evaluated (a crash between commit and alert), then a restart, until the alert shows `expected`. */
    const afterCrash = async (
      firstSeq: number,
      count: number,
      endMs: number,
      distress: number,
      expected: string,
      shows: (a: Alert) => boolean,
    ) => {
      await storeWindowsUnevaluated(
        sys,
        device.stayId,
        makeEpisode(device.deviceId, firstSeq, count, new Date(endMs), { distress, confidence: 0.9 }),
      );
      await sys.restartServer();
      cookie = await sys.login();
      await waitFor(async () => shows((await openAlert()) ?? ({} as Alert)), expected);
    };
    // One more minute of distress: enough evidence for high priority.
    await afterCrash(124, 12, startMs + 3 * 60_000, 0.9, 'the alert escalated after the restart', (a) => a.priority === 'high');
    // Six calm minutes: the evidence fell to 0 and stayed there for two minutes.
    await afterCrash(136, 72, startMs + 9 * 60_000, 0.1, 'the condition cleared after the restart', (a) => a.conditionActive === false);
    expect((await distressAlerts(cookie)).length).toBe(1);
  });
});
