/**
 * Fleet health for IT staff (GET /api/devices, GET /api/devices/:deviceId): each status a device
 * sends is kept as its last status and in its history, with the health fields newer agents report
 * (outbox backlog, CPU, memory, model hashes, doctor checklist, remote config result); the server
 * flags devices outdated (behind the fleet's newest versions) or erroring, summarises the fleet,
 * filters it, pages a device's history, prunes that history after DEVICE_STATUS_KEEP_DAYS, and
 * keeps it from nurses and hostile queries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, startAgent } from '@attune/edge-agent';
import { call, type Json } from '../support/api.ts';
import { bedsideAgentConfig } from '../support/bedside-agent.ts';
import { deviceStatus, publishStatuses } from '../support/device-status.ts';
import { backends, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

const SHA = 'a'.repeat(64);
const DAY_MS = 86_400_000;

describe.each(backends())('fleet health on $label', (backend) => {
  let sys: TestSystem;
  let it_: string;
  let nurse: string;
  /** Beds 1-4: healthy; outdated, with its backlog growing and its config refused; offline (Last Will), clock off; never seen. */
  const id = (i: number) => sys.devices[i]!.deviceId;
  const get = async (path: string, cookie = it_): Promise<Json> => {
    const res = await call(sys.baseUrl, 'GET', path, { cookie });
    expect(res.status, `GET ${path}: ${JSON.stringify(res.body)}`).toBe(200);
    return res.body;
  };
  const fleet = async (query = '') => (await get(`/api/devices${query}`)) as { devices: Json[]; summary: Json };
  const ids = (devices: Json[]) => devices.map((d: { id: string }) => d.id).sort();

  beforeAll(async () => {
    sys = await startTestSystem({ backend, env: { DEVICE_STATUS_KEEP_DAYS: '14' } });
    it_ = await sys.login('demo-it');
    nurse = await sys.login('demo-nurse');
    const healthy = deviceStatus(id(0), {
      models: { 'wearable-distress': '1.2.0', 'face-landmarks': '2.0.0' },
      modelSha256: { 'wearable-distress': SHA },
      clockOffsetMs: 20,
      outboxBacklog: 0,
      cpuPercent: 12.5,
      memoryRssBytes: 150_000_000,
      doctor: {
        at: new Date().toISOString(),
        checks: [
          { name: 'models', result: 'ok', code: null },
          { name: 'camera', result: 'warn', code: 'low_light' },
        ],
      },
      config: { version: 3, state: 'applied', reason: null, field: null },
    });
    await publishStatuses(sys, it_, [healthy]);
    const behind = (backlog: number) =>
      deviceStatus(id(1), {
        agentVersion: '0.4.0',
        models: { 'wearable-distress': '1.1.9' },
        outboxBacklog: backlog,
        config: { version: 4, state: 'refused', reason: 'camera_unavailable', field: 'camera.device' },
      });
    await publishStatuses(sys, it_, [behind(2), behind(6), behind(10)]);
    await publishStatuses(sys, it_, [
      deviceStatus(id(2), { clockOffsetMs: 15_000, cpuPercent: 40 }),
      // Its Last Will: offline, written at connect time, without the health fields.
      deviceStatus(id(2), { state: 'offline', clockOffsetMs: null }),
    ]);
  });
  afterAll(async () => sys?.stop());

  it('keeps each status with its health fields and returns them per device, with ward, bed and flags', async () => {
    const { devices } = await fleet();
    const [healthy, behind, offline, never] = [0, 1, 2, 3].map((i) => devices.find((d: { id: string }) => d.id === id(i)));
    expect(healthy).toMatchObject({
      state: 'online',
      bedLabel: 'Bed 1',
      wardId: sys.wardId,
      agentVersion: '0.4.1',
      models: [
        { name: 'face-landmarks', version: '2.0.0', sha256: null },
        { name: 'wearable-distress', version: '1.2.0', sha256: SHA },
      ],
      clockOffsetMs: 20,
      outboxBacklog: 0,
      cpuPercent: 12.5,
      memoryRssBytes: 150_000_000,
      doctor: {
        checks: [
          { name: 'models', result: 'ok', code: null },
          { name: 'camera', result: 'warn', code: 'low_light' },
        ],
      },
      config: { version: 3, state: 'applied', reason: null, field: null },
      consent: { camera: true, wearable: true },
      outdated: false,
      erroring: false,
      problems: [],
    });
    expect(behind).toMatchObject({ outdated: true, erroring: true, outboxBacklog: 10 });
    expect(behind.problems).toEqual(
      expect.arrayContaining([
        { code: 'agent_outdated', subject: null },
        { code: 'model_outdated', subject: 'wearable-distress' },
        { code: 'outbox_growing', subject: null },
        { code: 'config_refused', subject: 'camera_unavailable' },
      ]),
    );
    // The Last Will does not wipe what the running agent last reported.
    expect(offline).toMatchObject({ state: 'offline', clockOffsetMs: 15_000, cpuPercent: 40, erroring: true, outdated: false });
    expect(offline.problems).toEqual([{ code: 'clock_off', subject: null }]);
    expect(never).toMatchObject({ state: 'never_seen', agentVersion: null, models: [], outboxBacklog: null, doctor: null, config: null });
  });

  it('summarises the fleet: devices per state, flagged devices and version drift', async () => {
    const { summary } = await fleet();
    expect(summary).toEqual({
      total: 4,
      states: { online: 2, offline: 1, never_seen: 1, decommissioned: 0 },
      erroring: 2,
      outdated: 1,
      agentVersions: [
        { version: '0.4.1', devices: 2 },
        { version: '0.4.0', devices: 1 },
      ],
      modelVersions: [
        { name: 'face-landmarks', version: '2.0.0', devices: 1 },
        { name: 'wearable-distress', version: '1.2.0', devices: 1 },
        { name: 'wearable-distress', version: '1.1.9', devices: 1 },
      ],
    });
  });

  it('filters by state, ward, outdated and erroring, the summary staying the whole fleet’s', async () => {
    expect(ids((await fleet('?state=offline')).devices)).toEqual([id(2)]);
    expect(ids((await fleet('?state=never_seen')).devices)).toEqual([id(3)]);
    expect(ids((await fleet('?outdated=true')).devices)).toEqual([id(1)]);
    expect(ids((await fleet('?erroring=true')).devices)).toEqual([id(1), id(2)].sort());
    expect(ids((await fleet('?erroring=false&state=online')).devices)).toEqual([id(0)]);
    expect(ids((await fleet(`?wardId=${sys.wardId}`)).devices)).toEqual([0, 1, 2, 3].map(id).sort());
    const elsewhere = await fleet('?wardId=00000000-0000-4000-8000-000000000000');
    expect(elsewhere.devices).toEqual([]);
    expect(elsewhere.summary.total).toBe(4);
  });

  it('pages a device’s status history, newest first, with its state changes', async () => {
    const first = await get(`/api/devices/${id(1)}?limit=2`);
    expect(first.device).toMatchObject({ id: id(1), outdated: true });
    expect(first.history.map((h: Json) => h.outboxBacklog)).toEqual([10, 6]);
    expect(first.history[0]).toMatchObject({ state: 'online', agentVersion: '0.4.0', config: { state: 'refused' } });
    expect(first.nextBefore).toBe(first.history[1].id);
    const rest = await get(`/api/devices/${id(1)}?limit=2&before=${first.nextBefore}`);
    expect(rest.history.map((h: Json) => h.outboxBacklog)).toEqual([2]);
    expect(rest.nextBefore).toBeNull();

    const offline = await get(`/api/devices/${id(2)}`);
    expect(offline.history.map((h: Json) => h.state)).toEqual(['offline', 'online']);
    expect(offline.history[1]).toMatchObject({ clockOffsetMs: 15_000, cpuPercent: 40, outboxBacklog: null, doctor: null });
    expect((await get(`/api/devices/${id(3)}`)).history).toEqual([]);
  });

  it('prunes statuses older than DEVICE_STATUS_KEEP_DAYS in the retention job, keeping younger ones', async () => {
    const now = Date.now();
    const old = deviceStatus(id(0), { at: new Date(now - 15 * DAY_MS).toISOString(), outboxBacklog: 77 });
    const younger = deviceStatus(id(0), { at: new Date(now - 13 * DAY_MS).toISOString(), outboxBacklog: 55 });
    for (const [s, ageDays] of [
      [old, 15],
      [younger, 13],
    ] as const) {
      await sys.server.db.query(`insert into device_status_history (device_id, received_at, status) values ($1, $2, $3::jsonb)`, [
        s.deviceId,
        new Date(now - ageDays * DAY_MS).toISOString(),
        JSON.stringify(s),
      ]);
    }
    const backlogs = async () => (await get(`/api/devices/${id(0)}?limit=500`)).history.map((h: Json) => h.outboxBacklog);
    expect(await backlogs()).toEqual(expect.arrayContaining([77, 55, 0]));
    const counts = await sys.server.services.retention.run(new Date(now));
    expect(counts.deviceStatuses).toBe(1);
    const left = await backlogs();
    expect(left).not.toContain(77);
    expect(left).toEqual(expect.arrayContaining([55, 0]));
  });

  it('answers nurses 403, strangers 401, an unknown device 404', async () => {
    for (const path of ['/api/devices', `/api/devices/${id(0)}`]) {
      expect((await call(sys.baseUrl, 'GET', path, { cookie: nurse })).status).toBe(403);
      expect((await call(sys.baseUrl, 'GET', path)).status).toBe(401);
    }
    expect((await call(sys.baseUrl, 'GET', '/api/devices/no-such-device', { cookie: it_ })).status).toBe(404);
    expect((await call(sys.baseUrl, 'GET', '/api/devices/NOT%20A%20DEVICE', { cookie: it_ })).status).toBe(404);
  });

  it('refuses hostile query parameters with a 400 naming the field', async () => {
    const bad: [string, string][] = [
      ['/api/devices?state=exploded', 'state'],
      ['/api/devices?wardId=1%27%20or%201%3D1', 'wardId'],
      ['/api/devices?outdated=yes', 'outdated'],
      ['/api/devices?erroring=%00', 'erroring'],
      [`/api/devices/${'x'}?limit=0`, 'limit'],
      ['/api/devices/x?limit=100000', 'limit'],
      ['/api/devices/x?before=-1', 'before'],
      ['/api/devices/x?before=1e400', 'before'],
      ['/api/devices/x?limit=abc', 'limit'],
    ];
    for (const [path, field] of bad) {
      const res = await call(sys.baseUrl, 'GET', path.replace('/x?', `/${id(0)}?`), { cookie: it_ });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(Object.keys(res.body.error.fields ?? {}), path).toContain(field);
    }
  });

  it('shows what the real bedside agent reports: outbox, CPU, memory, model hashes and its doctor checklist', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'attune-fleet-agent-'));
    const agent = await startAgent(bedsideAgentConfig(sys.devices[3]!, { mqttUrl: sys.mqttUrl, dataDir, windowMs: 1000, seed: 5 }), {
      log: silentLogger,
    });
    try {
      const reported = await waitFor(
        async () => {
          const { device } = await get(`/api/devices/${id(3)}`);
          return device.state === 'online' && device.doctor !== null && device.outboxBacklog !== null ? device : null;
        },
        'the agent’s status with its health fields',
        20_000,
      );
      expect(reported.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(reported.memoryRssBytes).toBeGreaterThan(0);
      expect(reported.models.length).toBeGreaterThan(0);
      for (const m of reported.models) expect(m.sha256, m.name).toMatch(/^[0-9a-f]{64}$/);
      expect(reported.doctor.checks.map((c: Json) => c.name)).toContain('models');
    } finally {
      await agent.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
