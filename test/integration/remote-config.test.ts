/**
 * Remote configuration end to end: IT sets a device's configuration over HTTP, the server
 * publishes it retained on the device's config topic, and the real bedside agent applies it
 * without a restart (stored windows change length) or refuses it with the reason in its status,
 * keeping the one in force. An older version is ignored, clearing returns the agent to its local
 * file (also when cleared while the agent was away), and a server restart loses nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, startAgent, type RunningAgent } from '@attune/edge-agent';
import { encodePayload, type DeviceConfig } from '@attune/protocol';
import { call, type Json } from '../support/api.ts';
import { bedsideAgentConfig } from '../support/bedside-agent.ts';
import { backends, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

const LOCAL_WINDOW_MS = 1000;

describe.each(backends())('remote configuration of agents on $label', (b) => {
  let sys: TestSystem;
  let itCookie: string;
  const dirs: string[] = [];
  const agents: RunningAgent[] = [];
  beforeAll(async () => {
    sys = await startTestSystem({ backend: b, beds: [{ consent: { camera: false, wearable: true } }, { consent: null }] });
    itCookie = await sys.login('demo-it');
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop()));
  });
  afterAll(async () => {
    await sys?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const device = () => sys.devices[0]!;
  const configPath = (deviceId = device().deviceId) => `/api/devices/${deviceId}/config`;
  const put = (body: unknown, cookie = itCookie, deviceId?: string) => call(sys.baseUrl, 'PUT', configPath(deviceId), { cookie, body });
  const startBedsideAgent = async (dataDir = mkdtempSync(join(tmpdir(), 'attune-remote-config-'))) => {
    if (!dirs.includes(dataDir)) dirs.push(dataDir);
    const agent = await startAgent(
      bedsideAgentConfig(device(), { mqttUrl: sys.mqttUrl, dataDir, windowMs: LOCAL_WINDOW_MS, seed: 11, baselineWindows: 3 }),
      { log: silentLogger },
    );
    agents.push(agent);
    return { agent, dataDir };
  };
  const settings = (patch: Json = {}) => ({
    windowMs: 2000,
    sources: { camera: false, wearable: true },
    camera: { device: null, fps: 2 },
    modelVersionsAllowed: {},
    ...patch,
  });
  /** Length of the newest stored window with a seq above `afterSeq`, ms. */
  const storedWindowMs = async (afterSeq: number) => {
    const rows = await sys.server.db.query<{ ms: number }>(
      `select (extract(epoch from window_end - window_start) * 1000)::int as ms from score_window
       where device_id = $1 and seq > $2 order by seq desc limit 1`,
      [device().deviceId, afterSeq],
    );
    return rows[0]?.ms ?? null;
  };
  const reported = async () => (await call(sys.baseUrl, 'GET', configPath(), { cookie: itCookie })).body.reported;

  it('applies a configuration without a restart, refuses what this machine cannot run and keeps the one in force', async () => {
    const { agent } = await startBedsideAgent();
    await waitFor(async () => (await storedWindowMs(-1)) === LOCAL_WINDOW_MS, 'windows of the local file’s length', 15_000);
    const modelVersion = agent.status().models['wearable-distress']!;

    const set = await put(settings({ modelVersionsAllowed: { 'wearable-distress': [modelVersion] } }));
    expect(set.status).toBe(200);
    expect(set.body.desired).toMatchObject({ deviceId: device().deviceId, version: 1, windowMs: 2000 });
    await waitFor(async () => agent.status().config?.state === 'applied' && agent.status().config, 'the agent to apply version 1');
    expect(agent.status().config).toEqual({ version: 1, state: 'applied', reason: null, field: null });
    const seqAtApply = agent.status().nextSeq;
    // Visible in what is stored: windows are now 2 s long.
    expect(await waitFor(async () => storedWindowMs(seqAtApply), 'a window measured under version 1', 15_000)).toBe(2000);
    expect(await waitFor(async () => (await reported())?.version === 1 && reported(), 'the agent’s report on the API')).toMatchObject({
      version: 1,
      state: 'applied',
      reason: null,
    });
    // The models it runs, to choose allowed versions from.
    expect((await call(sys.baseUrl, 'GET', configPath(), { cookie: itCookie })).body.models).toMatchObject({
      'wearable-distress': modelVersion,
    });

    // A camera device this machine does not have: refused with the reason, version 1 stays in force.
    expect((await put(settings({ windowMs: 5000, camera: { device: '/dev/video9', fps: 2 } }))).body.desired.version).toBe(2);
    await waitFor(async () => agent.status().config?.version === 2, 'the agent to handle version 2');
    expect(agent.status().config).toEqual({ version: 2, state: 'refused', reason: 'camera_unavailable', field: 'camera.device' });
    expect(agent.status().windowMs).toBe(2000);
    await waitFor(async () => (await reported())?.version === 2, 'the refusal on the API');
    expect(await reported()).toMatchObject({ state: 'refused', reason: 'camera_unavailable', field: 'camera.device' });

    // A model version other than the one it runs: refused too.
    await put(settings({ windowMs: 5000, modelVersionsAllowed: { 'wearable-distress': ['0.0.1'] } }));
    await waitFor(async () => agent.status().config?.version === 3, 'the agent to handle version 3');
    expect(agent.status().config).toMatchObject({ state: 'refused', reason: 'model_not_allowed', field: 'modelVersionsAllowed' });
    const seqAfterRefusals = agent.status().nextSeq;
    expect(await waitFor(async () => storedWindowMs(seqAfterRefusals), 'a window after the refusals', 15_000)).toBe(2000);

    // Cleared: back to the local file.
    const cleared = await call(sys.baseUrl, 'DELETE', configPath(), { cookie: itCookie });
    expect(cleared.status).toBe(200);
    expect(cleared.body.desired).toBeNull();
    await waitFor(async () => agent.status().config === undefined, 'the agent to go back to its local file');
    expect(agent.status().windowMs).toBe(LOCAL_WINDOW_MS);
    const seqAtClear = agent.status().nextSeq;
    expect(await waitFor(async () => storedWindowMs(seqAtClear), 'a window after the clear', 15_000)).toBe(LOCAL_WINDOW_MS);

    // Every change is audited with the old and the new configuration.
    const audit = await sys.server.db.query<{ detail: Json }>(
      `select detail from audit_log where action = 'device.config_changed' and subject_id = $1 order by at`,
      [device().deviceId],
    );
    expect(audit.map((a) => [a.detail.old?.version ?? null, a.detail.new?.version ?? null])).toEqual([
      [null, 1],
      [1, 2],
      [2, 3],
      [3, null],
    ]);
  });

  it('starts with the configuration it kept, ignores an older retained one, and numbers versions on across a clear', async () => {
    // The next version continues after the highest ever issued, a cleared one included (an agent
    // that missed the clear must not take the next one as older than what it holds).
    const [issued] = await sys.server.db.query<{ max: number | null }>(
      `select max((detail->>'version')::int)::int as max from audit_log where action = 'device.config_changed' and subject_id = $1`,
      [device().deviceId],
    );
    const set = await put(settings({ windowMs: 3000 }));
    const before = set.body.desired.version;
    expect(before).toBe((issued?.max ?? 0) + 1);
    // This agent's data folder holds a newer version (e.g. the server's database restored from an older backup).
    const dataDir = mkdtempSync(join(tmpdir(), 'attune-remote-config-'));
    const kept: DeviceConfig = { ...set.body.desired, version: before + 9, windowMs: 4000, issuedAt: new Date().toISOString() };
    writeFileSync(join(dataDir, 'remote-config.json'), encodePayload('config', kept));
    const { agent } = await startBedsideAgent(dataDir);
    expect(agent.status().config).toEqual({ version: before + 9, state: 'applied', reason: null, field: null });
    await waitFor(async () => agent.status().connected, 'the agent to connect');
    // Its first window, measured with the older version retained at the broker: still the kept one's length.
    const first = await waitFor(async () => agent.status().lastWindow, 'a window after the retained version 4 arrived', 15_000);
    expect(Date.parse(first.windowEnd) - Date.parse(first.windowStart)).toBe(4000);
    expect(agent.status().config?.version).toBe(before + 9);
  });

  it('republishes stored configurations when the server restarts, and an agent cleared while away goes back to its file', async () => {
    await put(settings({ windowMs: 3000 }));
    await sys.restartServer();
    const { agent, dataDir } = await startBedsideAgent();
    await waitFor(async () => agent.status().config?.state === 'applied', 'a fresh agent to get the configuration after the restart');
    expect(agent.status().windowMs).toBe(3000);
    await agent.stop();

    // Cleared while the agent is stopped: at its next connection the broker holds none.
    expect((await call(sys.baseUrl, 'DELETE', configPath(), { cookie: itCookie })).status).toBe(200);
    const again = await startBedsideAgent(dataDir);
    expect(again.agent.status().windowMs).toBe(3000); // what it kept, until the broker says otherwise
    await waitFor(async () => again.agent.status().config === undefined, 'the agent to notice the clear', 15_000);
    expect(again.agent.status().windowMs).toBe(LOCAL_WINDOW_MS);
  });

  it('lets only IT set, read or clear a configuration', async () => {
    for (const user of ['demo-nurse', 'demo-charge']) {
      const cookie = await sys.login(user);
      expect((await call(sys.baseUrl, 'GET', configPath(), { cookie })).status).toBe(403);
      expect((await put(settings(), cookie)).status).toBe(403);
      expect((await call(sys.baseUrl, 'DELETE', configPath(), { cookie })).status).toBe(403);
    }
    expect((await call(sys.baseUrl, 'PUT', configPath(), { body: settings() })).status).toBe(401);
    expect((await put(settings(), itCookie, 'no-such-device')).status).toBe(404);
    expect((await put(settings(), itCookie, 'Not A Device!')).status).toBe(404);
  });

  it.each([
    ['a window too short', settings({ windowMs: 999 })],
    ['a window too long', settings({ windowMs: 60_001 })],
    ['a window in words', settings({ windowMs: '5 s' })],
    ['an unknown field', { ...settings(), ssh: 'root' }],
    ['the version set by hand', { ...settings(), version: 99 }],
    ['a camera URL instead of a device', settings({ camera: { device: 'rtsp://cam.example/stream', fps: 2 } })],
    ['a shell command in the camera device', settings({ camera: { device: '/dev/video0; rm -rf /', fps: 2 } })],
    ['a file path as camera device', settings({ camera: { device: '/etc/passwd', fps: 2 } })],
    ['too many frames per second', settings({ camera: { device: null, fps: 31 } })],
    ['no sources', { ...settings(), sources: undefined }],
    ['a NUL in a model version', settings({ modelVersionsAllowed: { 'wearable-distress': ['3.0\u0000'] } })],
    ['too many models', settings({ modelVersionsAllowed: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`m${i}`, ['1']])) })],
    ['an empty version list', settings({ modelVersionsAllowed: { 'wearable-distress': [] } })],
    ['a list instead of an object', [settings()]],
  ])('answers 400 to %s and publishes nothing', async (_what, body) => {
    const before = (await call(sys.baseUrl, 'GET', configPath(), { cookie: itCookie })).body.desired;
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect((await call(sys.baseUrl, 'GET', configPath(), { cookie: itCookie })).body.desired).toEqual(before);
  });
});
