/**
 * The server's ingest invariants through a real MQTT client, on the embedded defaults and (when
 * DATABASE_URL / MQTT_URL are set, as in CI) on PostgreSQL + Mosquitto.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePayload, topics } from '@attune/protocol';
import { readMetric } from '../support/metrics.ts';
import { openSse, type SseClient } from '../support/sse.ts';
import { backends, getJson, makeWindow, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

describe.each(backends())('ingest on $label', (backend) => {
  let sys: TestSystem;
  let cookie: string;
  let sse: SseClient;
  const count = async (deviceId: string) =>
    Number(
      (await sys.server.db.query<{ n: number }>(`select count(*)::int as n from score_window where device_id = $1`, [deviceId]))[0]!.n,
    );
  const rejected = (reason: string) => readMetric(sys.baseUrl, 'attune_ingest_rejected_total', { reason });

  beforeAll(async () => {
    sys = await startTestSystem({
      backend,
      beds: [
        { consent: { camera: true, wearable: true } }, // 0: full consent
        { consent: { camera: false, wearable: true } }, // 1: wearable only
        { consent: 'no-consent' }, // 2: admitted, never consented
        { consent: null }, // 3: empty bed
        { consent: { camera: false, wearable: true } }, // 4: will withdraw
        { consent: { camera: false, wearable: true } }, // 5: alert episode
      ],
    });
    cookie = await sys.login();
    sse = await openSse(`${sys.baseUrl}/api/events`, cookie);
  });
  afterAll(async () => {
    sse?.close();
    await sys?.stop();
  });

  it('requires authentication for the API and the event stream', async () => {
    expect((await fetch(`${sys.baseUrl}/api/wards`)).status).toBe(401);
    expect((await fetch(`${sys.baseUrl}/api/events`)).status).toBe(401);
    const body = await (await fetch(`${sys.baseUrl}/api/alerts`)).json();
    expect(body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
  });

  it('stores a valid window and shows it on the board and over SSE', async () => {
    const device = sys.devices[0]!;
    const w = makeWindow(device.deviceId, 1, new Date(), { distress: 0.31, confidence: 0.8 });
    await sys.publishScores(device.deviceId, [w]);
    await waitFor(async () => (await count(device.deviceId)) === 1, 'the window to be stored');
    const event = await sse.waitFor((e) => e.event === 'score' && (e.data as { bedId: string }).bedId === device.bedId, 'score event');
    expect(event.data).toMatchObject({ distress: 0.31, confidence: 0.8, stayId: device.stayId });
    const board = await getJson(sys.baseUrl, `/api/wards/${sys.wardId}/board`, cookie);
    const tile = board.beds.find((b: { bedId: string }) => b.bedId === device.bedId);
    expect(tile.latest).toMatchObject({ distress: 0.31, windowEnd: w.windowEnd });
    expect(tile.device.state).toBe('online');
    expect(tile.consent).toMatchObject({ camera: true, wearable: true });
  });

  it('stores the same (device, seq) once however often it arrives', async () => {
    const device = sys.devices[0]!;
    const w = makeWindow(device.deviceId, 2, new Date(), { distress: 0.2, confidence: 0.8 });
    await sys.publishScores(device.deviceId, [w, w]);
    await sys.publishScores(device.deviceId, [w]);
    await waitFor(async () => (await readMetric(sys.baseUrl, 'attune_ingest_duplicates_total')) >= 2, 'duplicates to be counted');
    expect(await count(device.deviceId)).toBe(2);
  });

  it('drops windows from a bed without an active stay, and from a stay without consent', async () => {
    const empty = sys.devices[3]!;
    const unconsented = sys.devices[2]!;
    const [noStayBefore, noConsentBefore] = [await rejected('no_active_stay'), await rejected('no_consent')];
    await sys.publishScores(empty.deviceId, [makeWindow(empty.deviceId, 1, new Date(), { distress: 0.5, confidence: 0.9 })]);
    await sys.publishScores(unconsented.deviceId, [makeWindow(unconsented.deviceId, 1, new Date(), { distress: 0.5, confidence: 0.9 })]);
    await waitFor(
      async () => (await rejected('no_active_stay')) > noStayBefore && (await rejected('no_consent')) > noConsentBefore,
      'rejections',
    );
    expect(await count(empty.deviceId)).toBe(0);
    expect(await count(unconsented.deviceId)).toBe(0);
    const board = await getJson(sys.baseUrl, `/api/wards/${sys.wardId}/board`, cookie);
    const tile = board.beds.find((b: { bedId: string }) => b.bedId === unconsented.bedId);
    expect(tile.consent).toBeNull();
    expect(tile.latest).toBeNull();
    expect(tile.sparkline).toEqual([]);
  });

  it('drops a window carrying a modality outside consent whole, and raises a technical alert', async () => {
    const device = sys.devices[1]!; // wearable only
    const before = await rejected('outside_consent');
    const face = {
      framesAnalysed: 10,
      faceVisibleFraction: 1,
      negativeAffect: 0.1,
      expression: { neutral: 0.9, happy: 0.05, sad: 0.01, angry: 0.01, fearful: 0.01, disgusted: 0.01, surprised: 0.01 },
      pspi: 0,
      painadFace: 0 as const,
      painadFaceBasis: { code: 'relaxed' as const, frames: 10 },
      actionUnits: {
        au4BrowLowering: 0,
        au6au7OrbitalTightening: 0,
        au9au10NoseWrinkleLipRaise: 0,
        au43EyeClosure: 0,
        au20au25au27MouthStretchOpen: 0,
      },
    };
    await sys.publishScores(device.deviceId, [makeWindow(device.deviceId, 1, new Date(), { distress: 0.2, confidence: 0.9 }, { face })]);
    await waitFor(async () => (await rejected('outside_consent')) > before, 'the outside-consent rejection');
    expect(await count(device.deviceId)).toBe(0);
    const alerts = await getJson(sys.baseUrl, `/api/alerts?wardId=${sys.wardId}`, cookie);
    const violation = alerts.alerts.find(
      (a: { kind: string; deviceId: string }) => a.kind === 'consent_violation' && a.deviceId === device.deviceId,
    );
    expect(violation).toMatchObject({ category: 'technical', state: 'firing' });
    expect(violation.explanation.summary).toMatch(/camera/i);
  });

  it('drops windows measured after consent is withdrawn, and tells the agent at once', async () => {
    const device = sys.devices[4]!;
    const agent = await sys.connectDevice(device.deviceId);
    const consentMessages: { version: number; modalities: { wearable: boolean } }[] = [];
    agent.on('message', (_t, payload) => consentMessages.push(JSON.parse(payload.toString())));
    await agent.subscribeAsync(topics.consent(device.deviceId), { qos: 1 });
    await waitFor(async () => consentMessages.some((m) => m.modalities.wearable), 'the retained consent');

    // The agent publishes on its own session (a second connection with its client id would take this one over).
    const publish = async (windows: ReturnType<typeof makeWindow>[]) => {
      for (const w of windows) await agent.publishAsync(topics.scores(device.deviceId), encodePayload('scores', w), { qos: 1 });
    };
    await publish([makeWindow(device.deviceId, 1, new Date(), { distress: 0.2, confidence: 0.9 })]);
    await waitFor(async () => (await count(device.deviceId)) === 1, 'the consented window');

    const withdrawnAt = new Date();
    await sys.server.services.consent.record(device.stayId!, { camera: false, wearable: false, actorKind: 'patient' }, withdrawnAt);
    await waitFor(async () => consentMessages.at(-1)?.modalities.wearable === false, 'the withdrawal on the consent topic', 2000);
    expect(consentMessages.at(-1)!.version).toBeGreaterThan(consentMessages[0]!.version);

    const before = await rejected('no_consent');
    // An agent replaying its outbox: one window measured before the withdrawal, one after.
    await publish([
      makeWindow(device.deviceId, 2, new Date(withdrawnAt.getTime() - 1000), { distress: 0.2, confidence: 0.9 }),
      makeWindow(device.deviceId, 3, new Date(withdrawnAt.getTime() + 1000), { distress: 0.2, confidence: 0.9 }),
    ]);
    await waitFor(async () => (await rejected('no_consent')) > before, 'the post-withdrawal rejection');
    await waitFor(async () => (await count(device.deviceId)) === 2, 'the pre-withdrawal window');
    const seqs = await sys.server.db.query<{ seq: number }>(`select seq::int as seq from score_window where device_id = $1 order by seq`, [
      device.deviceId,
    ]);
    expect(seqs.map((r) => r.seq)).toEqual([1, 2]);
  });

  it("refuses a device publishing on another device's topic, and wrong credentials", async () => {
    const [a, b] = [sys.devices[0]!, sys.devices[1]!];
    const before = await count(b.deviceId);
    const client = await sys.connectDevice(a.deviceId);
    const spoof = makeWindow(b.deviceId, 99, new Date(), { distress: 0.9, confidence: 0.9 });
    // The broker refuses it: aedes closes the connection, Mosquitto drops the message.
    await Promise.race([
      client.publishAsync(topics.scores(b.deviceId), encodePayload('scores', spoof), { qos: 1 }).catch(() => {}),
      new Promise((r) => setTimeout(r, 1500)),
    ]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await count(b.deviceId)).toBe(before);
    await expect(sys.connectDevice(a.deviceId, { password: 'wrong-password' })).rejects.toThrow();
    await expect(sys.connectDevice(a.deviceId, { clientId: b.deviceId })).rejects.toThrow();
  });

  it('drops a window whose payload names another device than its topic', async () => {
    const [a, b] = [sys.devices[0]!, sys.devices[1]!];
    const before = await rejected('device_mismatch');
    const client = await sys.connectDevice(a.deviceId);
    await client.publishAsync(
      topics.scores(a.deviceId),
      encodePayload('scores', makeWindow(b.deviceId, 77, new Date(), { distress: 0.2, confidence: 0.9 })),
      { qos: 1 },
    );
    await waitFor(async () => (await rejected('device_mismatch')) > before, 'the mismatch rejection');
    expect(await count(b.deviceId)).toBe(0);
  });

  it('counts garbage, oversized and schema-invalid payloads by reason and keeps serving', async () => {
    const device = sys.devices[0]!;
    const before = { notJson: await rejected('not_json'), oversized: await rejected('oversized'), schema: await rejected('schema') };
    const client = await sys.connectDevice(device.deviceId);
    const topic = topics.scores(device.deviceId);
    await client.publishAsync(topic, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), { qos: 1 });
    await client.publishAsync(topic, Buffer.alloc(5000, 0x41), { qos: 1 });
    await client.publishAsync(topic, JSON.stringify({ ...makeWindow(device.deviceId, 50, new Date(), { distress: 2, confidence: 0.9 }) }), {
      qos: 1,
    });
    await client.publishAsync(
      topic,
      JSON.stringify({ ...makeWindow(device.deviceId, 51, new Date(), { distress: 0.1, confidence: 0.9 }), image: 'x' }),
      { qos: 1 },
    );
    await waitFor(
      async () =>
        (await rejected('not_json')) > before.notJson &&
        (await rejected('oversized')) > before.oversized &&
        (await rejected('schema')) >= before.schema + 2,
      'all rejections to be counted',
    );
    expect((await fetch(`${sys.baseUrl}/healthz`)).status).toBe(200);
    const stored = await count(device.deviceId);
    await sys.publishScores(device.deviceId, [makeWindow(device.deviceId, 52, new Date(), { distress: 0.1, confidence: 0.9 })]);
    await waitFor(async () => (await count(device.deviceId)) === stored + 1, 'a valid window after the garbage');
  });

  it('opens one alert for an episode, escalates and updates it, and clears it with hysteresis', async () => {
    const device = sys.devices[5]!;
    const t0 = Date.now() - 12 * 60_000; // 124 windows (620 s) end before now
    let seq = 1;
    const at = (i: number) => new Date(t0 + i * 5000);
    const phase = (n: number, fused: { distress: number; confidence: number }) => {
      const start = seq;
      const windows = Array.from({ length: n }, (_, i) => makeWindow(device.deviceId, start + i, at(start + i), fused));
      seq += n;
      return windows;
    };
    // The default rule (distress-rule.ts): evidence = logit(d) - logit(0.341) - 0.2 per second, opens at
    // 180, high at 360 (also the cap), clears after 120 s of confident windows with the evidence spent.
    const rising = phase(24, { distress: 0.75, confidence: 0.8 }); // 7.8 per window: opens (medium) at the 24th
    const peak = phase(14, { distress: 0.9, confidence: 0.8 }); // 13.3 per window: reaches 360, escalates to high
    const middling = phase(16, { distress: 0.38, confidence: 0.8 }); // about neutral: neither clears nor reopens
    const calm = phase(70, { distress: 0.1, confidence: 0.8 }); // -8.7 per window: spent in 42 windows, then 120 s of calm clears
    await sys.publishScores(device.deviceId, [...rising, ...peak]);
    const opened = await sse.waitFor(
      (e) =>
        e.event === 'alert' &&
        (e.data as { stayId: string; priority: string }).stayId === device.stayId &&
        (e.data as { priority: string }).priority === 'high',
      'the high-priority alert',
    );
    const alertId = (opened.data as { id: string }).id;

    await sys.publishScores(device.deviceId, middling);
    await waitFor(async () => (await count(device.deviceId)) === 54, 'middle windows stored');
    let detail = await getJson(sys.baseUrl, `/api/alerts/${alertId}`, cookie);
    expect(detail.alert.conditionActive).toBe(true);

    await sys.publishScores(device.deviceId, calm);
    await sse.waitFor(
      (e) =>
        e.event === 'alert' &&
        (e.data as { id: string; conditionActive: boolean }).id === alertId &&
        !(e.data as { conditionActive: boolean }).conditionActive,
      'the cleared condition',
    );
    detail = await getJson(sys.baseUrl, `/api/alerts/${alertId}`, cookie);
    expect(detail.alert).toMatchObject({ kind: 'sustained_distress', priority: 'high', state: 'firing', conditionActive: false });
    expect(detail.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['opened', 'escalated', 'condition_cleared']),
    );
    expect(detail.events.filter((e: { type: string }) => e.type === 'opened')).toHaveLength(1);
    expect(detail.alert.explanation.summary).toMatch(/distress/i);
    expect(detail.alert.explanation.unobserved.join(' ')).toMatch(/bedside/i);

    const rows = await sys.server.db.query<{ n: number }>(
      `select count(*)::int as n from alert where stay_id = $1 and kind = 'sustained_distress'`,
      [device.stayId],
    );
    expect(rows[0]!.n).toBe(1);

    // The nurse acknowledges, then resolves with an outcome; a second resolve is a conflict.
    const ack = await fetch(`${sys.baseUrl}/api/alerts/${alertId}/acknowledge`, { method: 'POST', headers: { cookie } });
    expect(((await ack.json()) as { alert: unknown }).alert).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Demo Nurse' });
    const bad = await fetch(`${sys.baseUrl}/api/alerts/${alertId}/resolve`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'maybe' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields.outcome).toBeTruthy();
    const resolve = () =>
      fetch(`${sys.baseUrl}/api/alerts/${alertId}/resolve`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ outcome: 'comforted' }),
      });
    expect(((await (await resolve()).json()) as { alert: unknown }).alert).toMatchObject({ state: 'resolved', outcome: 'comforted' });
    expect((await resolve()).status).toBe(409);
  });

  it('resumes the event stream from Last-Event-ID', async () => {
    const last = sse.events.at(-1)!;
    const device = sys.devices[0]!;
    await sys.publishScores(device.deviceId, [makeWindow(device.deviceId, 60, new Date(), { distress: 0.11, confidence: 0.8 })]);
    await sse.waitFor((e) => e.event === 'score' && (e.data as { distress: number }).distress === 0.11, 'the new score');
    const resumed = await openSse(`${sys.baseUrl}/api/events`, cookie, last.id!);
    try {
      const replayed = await resumed.waitFor(
        (e) => e.event === 'score' && (e.data as { distress: number }).distress === 0.11,
        'the replayed score',
      );
      expect(Number(replayed.id)).toBeGreaterThan(Number(last.id));
    } finally {
      resumed.close();
    }
  });
});
