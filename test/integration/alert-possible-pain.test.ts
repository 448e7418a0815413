/**
 * The possible-pain alert through the whole server: camera-only windows published by the bedside
 * device over MQTT, stored, fed to the possible-pain rule, written as an alert with its events and
 * explanation. Face evidence alone never raises more than medium priority, and when the wearable is
 * observed the patient is left to the sustained-distress rule.
 */
import type { FaceBlock, ScoreWindow } from '@attune/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALM_WEARABLE } from '../../server/test/wearable-blocks.ts';
import { backends, getJson, startTestSystem, storeWindowsUnevaluated, waitFor, windowFrame, type TestSystem } from '../support/system.ts';

type Face = 'grimace' | 'relaxed';

/** A 5 s camera-only window ending at `end`: a grimacing face (PAINAD face 2, PSPI 6) or a relaxed one. */
function faceWindow(deviceId: string, seq: number, end: Date, face: Face, withWearable = false): ScoreWindow {
  const grimace = face === 'grimace';
  const block: FaceBlock = {
    framesAnalysed: 10,
    faceVisibleFraction: 0.9,
    negativeAffect: grimace ? 0.4 : 0.1,
    expression: { neutral: grimace ? 0.4 : 0.8, happy: 0.05, sad: 0.2, angry: 0.1, fearful: 0.1, disgusted: 0.1, surprised: 0.05 },
    pspi: grimace ? 6 : 0.5,
    painadFace: grimace ? 2 : 0,
    painadFaceBasis: grimace ? { code: 'grimacing', fraction: 0.8, pspi: 6 } : { code: 'relaxed', frames: 10 },
    actionUnits: {
      au4BrowLowering: grimace ? 2.5 : 0.2,
      au6au7OrbitalTightening: grimace ? 2 : 0.1,
      au9au10NoseWrinkleLipRaise: grimace ? 1.5 : 0,
      au43EyeClosure: grimace ? 0.5 : 0.1,
      au20au25au27MouthStretchOpen: 0.2,
    },
  };
  return {
    ...windowFrame(deviceId, seq, end),
    fused: { distress: grimace ? 0.6 : 0.2, confidence: withWearable ? 0.8 : 0.45, drivers: [] }, // a confident wearable is counted by the distress rule
    face: block,
    ...(withWearable ? { wearable: CALM_WEARABLE } : {}),
    quality: { wearableCoverage: withWearable ? 1 : null, faceCoverage: 0.9, unobserved: [] },
    models: { 'face-expression': '1.0.0' },
  };
}

describe.each(backends())('possible-pain alert on $label', (backend) => {
  let sys: TestSystem;
  let cookie: string;
  beforeAll(async () => {
    sys = await startTestSystem({
      backend,
      beds: [{ consent: { camera: true, wearable: false } }, { consent: { camera: true, wearable: true } }],
    });
    cookie = await sys.login();
  });
  afterAll(async () => sys?.stop());

  const alertsOf = async (stayId: string) =>
    (await sys.server.db.query<{ id: string; kind: string; priority: string }>(
      `select id, kind, priority from alert where stay_id = $1 order by opened_at`,
      [stayId],
    )) as { id: string; kind: string; priority: string }[];

  it('opens a medium-priority possible-pain alert from 60 s of a grimacing face alone, explains it, and clears it after 2 min of a relaxed face', async () => {
    const device = sys.devices[0]!;
    const t0 = Date.now() - 5 * 60_000;
    const at = (i: number) => new Date(t0 + i * 5000);
    // 12 windows (60 s) of grimacing; 10 more (50 s) keep it open and update it.
    const grimacing = Array.from({ length: 22 }, (_, i) => faceWindow(device.deviceId, i + 1, at(i + 1), 'grimace'));
    await sys.publishScores(device.deviceId, grimacing.slice(0, 11));
    // 55 s are not enough.
    await new Promise((r) => setTimeout(r, 300));
    expect(await alertsOf(device.stayId!)).toEqual([]);

    await sys.publishScores(device.deviceId, grimacing.slice(11));
    const [alert] = await waitFor(async () => {
      const rows = await alertsOf(device.stayId!);
      return rows.length > 0 ? rows : null;
    }, 'the possible-pain alert');
    expect(alert).toMatchObject({ kind: 'possible_pain', priority: 'medium' });

    const detail = await getJson(sys.baseUrl, `/api/alerts/${alert!.id}`, cookie);
    expect(detail.alert).toMatchObject({
      kind: 'possible_pain',
      category: 'clinical',
      priority: 'medium',
      state: 'firing',
      conditionActive: true,
    });
    const explanation = detail.alert.explanation;
    expect(explanation.summary).toMatch(/^Possible pain for 1 min from the face alone — grimacing, PSPI up to 6 of 16/);
    expect(explanation.unobserved[0]).toMatch(/rests on the face alone/);
    expect(explanation.unobserved.some((line: string) => line.startsWith('Heart rate, skin conductance and movement not measured'))).toBe(
      true,
    );
    expect(explanation.evidence.map((e: { signal: string }) => e.signal)).toEqual([
      'painad_face',
      'pspi',
      'neutral_face_baseline',
      'face_visible',
    ]);
    expect(explanation.painad).toEqual([{ item: 'Facial expression', score: 2, basis: expect.stringMatching(/grimac/i) }]);
    expect(explanation.models).toEqual({ 'face-expression': '1.0.0' });

    // 24 windows (120 s) of a relaxed, visible face clear the condition; the alert stays until resolved.
    const relaxed = Array.from({ length: 24 }, (_, i) => faceWindow(device.deviceId, 23 + i, at(23 + i), 'relaxed'));
    await sys.publishScores(device.deviceId, relaxed.slice(0, 23));
    await new Promise((r) => setTimeout(r, 300));
    expect((await getJson(sys.baseUrl, `/api/alerts/${alert!.id}`, cookie)).alert.conditionActive).toBe(true);
    await sys.publishScores(device.deviceId, relaxed.slice(23));
    const cleared = await waitFor(async () => {
      const d = await getJson(sys.baseUrl, `/api/alerts/${alert!.id}`, cookie);
      return d.alert.conditionActive ? null : d;
    }, 'the cleared condition');
    expect(cleared.alert).toMatchObject({ state: 'firing', priority: 'medium', conditionActive: false });
    expect(cleared.alert.explanation.summary).toBe(
      'Possible pain settled: face without pain signs for 2 min after 1 min of facial pain signs',
    );
    // Updated once a minute while active (at 2 and 3 min), cleared at 2 min of calm.
    expect(cleared.events.map((e: { type: string }) => e.type)).toEqual(['opened', 'updated', 'updated', 'condition_cleared']);
    expect(cleared.events[0].detail).toEqual({ priority: 'medium' });
    // The face alone raised no sustained-distress alert, and only one possible-pain alert.
    expect((await alertsOf(device.stayId!)).map((a) => a.kind)).toEqual(['possible_pain']);

    // Resolved by a nurse, the alert is not reopened by the windows it was built from after a restart.
    const resolved = await fetch(`${sys.baseUrl}/api/alerts/${alert!.id}/resolve`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'comforted' }),
    });
    expect(resolved.status).toBe(200);
  });

  it('raises no possible-pain alert while the wearable is observed: the sustained-distress rule judges that patient', async () => {
    const device = sys.devices[1]!;
    const t0 = Date.now() - 3 * 60_000;
    const windows = Array.from({ length: 24 }, (_, i) =>
      faceWindow(device.deviceId, i + 1, new Date(t0 + (i + 1) * 5000), 'grimace', true),
    );
    await sys.publishScores(device.deviceId, windows);
    await waitFor(async () => {
      const [row] = await sys.server.db.query<{ n: number }>(`select count(*)::int as n from score_window where device_id = $1`, [
        device.deviceId,
      ]);
      return row!.n === 24;
    }, 'the windows stored');
    await new Promise((r) => setTimeout(r, 300));
    expect(await alertsOf(device.stayId!)).toEqual([]);
  });

  it('opens the possible-pain alert stored windows called for after a restart', async () => {
    const device = sys.devices[0]!;
    // The first test's alert was resolved: a fresh 60 s of grimacing, stored but never evaluated
    // (written straight to the table, as a crash between commit and alert would leave it).
    const t0 = Date.now() - 90_000;
    const windows = Array.from({ length: 13 }, (_, i) => faceWindow(device.deviceId, 100 + i, new Date(t0 + (i + 1) * 5000), 'grimace'));
    await storeWindowsUnevaluated(sys, device.stayId, windows);
    const openPain = async () =>
      (await sys.server.db.query<{ id: string }>(
        `select id from alert where stay_id = $1 and kind = 'possible_pain' and state <> 'resolved'`,
        [device.stayId],
      )) as { id: string }[];
    expect(await openPain()).toEqual([]);
    await sys.restartServer();
    await waitFor(async () => (await openPain()).length === 1, 'the possible-pain alert after the restart');
  });
});
