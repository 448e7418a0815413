import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeviceConfig } from '@attune/protocol';
import { tempDirPerTest } from '../../test/temp-dirs.ts';
import type { AgentLogger } from '../log.ts';
import { decideConfig, decideRemoteConfig, type LocalCapabilities } from './remote-config-decision.ts';
import { RemoteConfigManager, type EffectiveSettings } from './remote-config-manager.ts';
import { RemoteConfigStore } from './remote-config-store.ts';

const deviceId = 'bed-04-agent';
const tempDir = tempDirPerTest();
const silent: AgentLogger = { info: () => {}, warn: () => {}, error: () => {} };

const config = (version: number, patch: Partial<DeviceConfig> = {}): DeviceConfig => ({
  v: 2,
  deviceId,
  version,
  issuedAt: '2026-12-03T10:02:00.000Z',
  windowMs: 10_000,
  sources: { camera: true, wearable: true },
  camera: { device: null, fps: 2 },
  modelVersionsAllowed: { 'wearable-distress': ['3.0.0'] },
  ...patch,
});
const bytes = (c: unknown) => Buffer.from(JSON.stringify(c));

const local: LocalCapabilities = {
  deviceId,
  models: { 'wearable-distress': '3.0.0', 'face-detector': '1.0.0' },
  cameraKind: 'ffmpeg',
  wearableConfigured: true,
  deviceExists: (path) => path === '/dev/video0',
};
const fresh = { applied: 0, refused: 0 };

describe('remote configuration decision', () => {
  it('applies a configuration this machine can run, and lets unlisted models run any version', () => {
    expect(decideConfig(config(1), fresh, local)).toEqual({ kind: 'apply', config: config(1) });
    const withCamera = config(2, { camera: { device: '/dev/video0', fps: 5 }, modelVersionsAllowed: {} });
    expect(decideConfig(withCamera, fresh, local).kind).toBe('apply');
  });

  it('ignores a configuration older than, or the same as, the one in force or last refused', () => {
    expect(decideConfig(config(3), { applied: 3, refused: 0 }, local)).toEqual({ kind: 'ignore', why: 'in_force' });
    expect(decideConfig(config(2), { applied: 3, refused: 0 }, local)).toEqual({ kind: 'ignore', why: 'older' });
    expect(decideConfig(config(4), { applied: 3, refused: 5 }, local)).toEqual({ kind: 'ignore', why: 'older' });
  });

  it.each([
    ['another device', config(5, { deviceId: 'bed-05-agent' }), local, 'wrong_device', 'deviceId'],
    [
      'a loaded model version not allowed',
      config(5, { modelVersionsAllowed: { 'wearable-distress': ['2.0.0'] } }),
      local,
      'model_not_allowed',
      'modelVersionsAllowed',
    ],
    [
      'a camera device missing here',
      config(5, { camera: { device: '/dev/video2', fps: 2 } }),
      local,
      'camera_unavailable',
      'camera.device',
    ],
    [
      'a camera device for an image-folder camera',
      config(5, { camera: { device: '/dev/video0', fps: 2 } }),
      { ...local, cameraKind: 'image-folder' as const },
      'camera_unavailable',
      'camera.device',
    ],
    ['the camera with none configured', config(5), { ...local, cameraKind: 'none' as const }, 'source_not_configured', 'sources.camera'],
    ['a wearable with none configured', config(5), { ...local, wearableConfigured: false }, 'source_not_configured', 'sources.wearable'],
  ])('refuses %s, naming the field', (_what, c, here, reason, field) => {
    expect(decideConfig(c, fresh, here)).toEqual({ kind: 'refuse', result: { version: 5, state: 'refused', reason, field } });
  });

  it('refuses an invalid message as `invalid` with its version when readable, never echoing content', () => {
    const hostile = { ...config(7), windowMs: 500, secret: 'patient name' };
    const decision = decideRemoteConfig(bytes(hostile), fresh, local);
    expect(decision).toMatchObject({ kind: 'refuse', result: { version: 7, state: 'refused', reason: 'invalid' } });
    expect(JSON.stringify(decision)).not.toContain('patient');
    expect(decideRemoteConfig(Buffer.from('not json'), fresh, local)).toEqual({
      kind: 'refuse',
      result: { version: 0, state: 'refused', reason: 'invalid', field: null },
    });
    const url = decideRemoteConfig(bytes(config(8, { camera: { device: 'rtsp://cam/x', fps: 2 } })), fresh, local);
    expect(url).toMatchObject({ result: { reason: 'invalid', field: 'camera.device' } });
  });
});

const LOCAL: EffectiveSettings = { windowMs: 5000, sources: { camera: true, wearable: true }, camera: { device: null, fps: 2 } };

function manager(dataDir: string, o: { cameraFails?: (device: string | null) => boolean } = {}) {
  const calls: string[] = [];
  const results: unknown[] = [];
  const m: RemoteConfigManager = new RemoteConfigManager({
    local,
    defaults: LOCAL,
    targets: {
      setWindowMs: (ms) => calls.push(`window ${ms}`),
      setSources: (s) => calls.push(`sources camera=${s.camera} wearable=${s.wearable}`),
      setCamera: async (c) => {
        calls.push(`camera ${c.device ?? 'local'} ${c.fps}`);
        if (o.cameraFails?.(c.device)) throw new Error('ffmpeg would not start');
      },
    },
    store: new RemoteConfigStore(dataDir),
    log: silent,
    onResult: () => results.push(m.result()),
    graceMs: 1000,
  });
  return { m, calls, results };
}

describe('remote configuration in the running agent', () => {
  afterEach(() => vi.useRealTimers());

  it('applies without a restart, keeps it across a restart without the broker, and refuses whole', async () => {
    const dir = tempDir('attune-remote-config-');
    const a = manager(dir);
    await a.m.handlePayload(
      bytes(config(1, { windowMs: 10_000, sources: { camera: false, wearable: true }, camera: { device: null, fps: 4 } })),
    );
    expect(a.calls).toEqual(['camera local 4', 'window 10000', 'sources camera=false wearable=true']);
    expect(a.m.result()).toEqual({ version: 1, state: 'applied', reason: null, field: null });
    expect(existsSync(join(dir, 'remote-config.json'))).toBe(true);

    // Refused: a missing camera device. Nothing of it is applied; version 1 stays in force.
    a.calls.length = 0;
    await a.m.handlePayload(bytes(config(2, { windowMs: 20_000, camera: { device: '/dev/video7', fps: 4 } })));
    expect(a.calls).toEqual([]);
    expect(a.m.result()).toEqual({ version: 2, state: 'refused', reason: 'camera_unavailable', field: 'camera.device' });
    expect(a.m.current().windowMs).toBe(10_000);
    // An older one arriving late is ignored and changes nothing, not even the result.
    await a.m.handlePayload(bytes(config(1, { windowMs: 30_000 })));
    expect(a.m.result()?.version).toBe(2);

    // A restart (same data folder, no broker): version 1 in force from the start.
    const b = manager(dir);
    await b.m.start();
    expect(b.calls).toEqual(['camera local 4', 'window 10000', 'sources camera=false wearable=true']);
    expect(b.m.result()).toEqual({ version: 1, state: 'applied', reason: null, field: null });
    // The retained copy of the same version arriving on connect changes nothing.
    await b.m.handlePayload(
      bytes(config(1, { windowMs: 10_000, sources: { camera: false, wearable: true }, camera: { device: null, fps: 4 } })),
    );
    expect(b.calls).toHaveLength(3);
  });

  it('puts the old camera back and refuses as apply_failed when the camera cannot be restarted', async () => {
    const a = manager(tempDir('attune-remote-config-'), { cameraFails: (device) => device === '/dev/video0' });
    await a.m.handlePayload(bytes(config(3, { camera: { device: '/dev/video0', fps: 2 }, windowMs: 15_000 })));
    expect(a.calls).toEqual(['camera /dev/video0 2', 'camera local 2']);
    expect(a.m.result()).toEqual({ version: 3, state: 'refused', reason: 'apply_failed', field: 'camera' });
    expect(a.m.current()).toEqual(LOCAL);
  });

  it('goes back to the local file on an empty payload, and when the broker holds none after a reconnect', async () => {
    const dir = tempDir('attune-remote-config-');
    const a = manager(dir);
    await a.m.handlePayload(bytes(config(4)));
    a.calls.length = 0;
    await a.m.handlePayload(Buffer.alloc(0));
    expect(a.calls).toEqual(['window 5000']);
    expect(a.m.result()).toBeUndefined();
    expect(existsSync(join(dir, 'remote-config.json'))).toBe(false);

    // Cleared while the agent was away: it subscribes, the broker sends nothing retained.
    vi.useFakeTimers();
    await a.m.handlePayload(bytes(config(5)));
    a.m.subscribing();
    a.m.subscribed();
    await vi.advanceTimersByTimeAsync(1000);
    await a.m.stop();
    expect(a.m.current()).toEqual(LOCAL);
    expect(a.m.result()).toBeUndefined();

    // With one retained, delivered before or after the acknowledgement, it stays.
    await a.m.handlePayload(bytes(config(6)));
    a.m.subscribing();
    await a.m.handlePayload(bytes(config(6)));
    a.m.subscribed();
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.m.result()?.version).toBe(6);
  });
});
