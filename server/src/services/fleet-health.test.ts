import { describe, expect, it } from 'vitest';
import type { DeviceStatus } from '@attune/protocol';
import { compareVersions } from '@attune/protocol/api';
import type { DeviceListRow } from '../repositories/device.repository.ts';
import { assessDevice, isBacklogGrowing, newestVersions, summarizeFleet } from './fleet-health.ts';

const row = (id: string, over: Partial<DeviceListRow> = {}): DeviceListRow => ({
  id,
  isActive: true,
  wardId: 'w',
  wardName: 'Ward 7B',
  bedId: `b-${id}`,
  bedLabel: `Bed ${id}`,
  state: 'online',
  lastSeenAt: new Date(),
  lastScoreAt: null,
  agentVersion: '0.4.1',
  models: { 'wearable-distress': '1.2.0' },
  sources: { camera: 'streaming', wearable: 'streaming' },
  consentVersion: 1,
  clockOffsetMs: 20,
  decommissionedAt: null,
  lastStatus: null,
  ...over,
});

const status = (over: Partial<DeviceStatus>): DeviceStatus => ({
  v: 2,
  deviceId: 'x',
  state: 'online',
  at: new Date().toISOString(),
  agentVersion: '0.4.1',
  models: {},
  sources: { camera: 'streaming', wearable: 'streaming' },
  clockOffsetMs: null,
  ...over,
});

describe('compareVersions', () => {
  it('orders numerically, a pre-release before its release, build metadata ignored', () => {
    const sorted = ['0.10.0', '0.4.1', '0.4.0', '1.0.0-rc.2', '1.0.0', '1.0.0-rc.10', '0.4.1+build.3'].sort(compareVersions);
    expect(sorted).toEqual(['0.4.0', '0.4.1', '0.4.1+build.3', '0.10.0', '1.0.0-rc.2', '1.0.0-rc.10', '1.0.0']);
    expect(compareVersions('0.4.1', '0.4.1+x')).toBe(0);
    expect(compareVersions('1.0', '1.0.1')).toBeLessThan(0);
  });
});

describe('isBacklogGrowing', () => {
  it('is growing only when the backlog rose at each of the last three statuses', () => {
    expect(isBacklogGrowing([0, 4, 8])).toBe(true);
    expect(isBacklogGrowing([9, 0, 4, 8])).toBe(true);
    expect(isBacklogGrowing([4, 8])).toBe(false);
    expect(isBacklogGrowing([4, 8, 8])).toBe(false);
    expect(isBacklogGrowing([8, 4, 0])).toBe(false);
    expect(isBacklogGrowing([0, 0, 0])).toBe(false);
  });
});

describe('assessDevice', () => {
  const fleet = [
    row('1'),
    row('2', { agentVersion: '0.4.0', models: { 'wearable-distress': '1.1.9' } }),
    // A decommissioned device on a newer version sets no reference.
    row('3', { agentVersion: '9.9.9', decommissionedAt: new Date(), state: 'offline' }),
  ];
  const newest = newestVersions(fleet);

  it('takes the newest versions among devices in service as the reference', () => {
    expect(newest.agent).toBe('0.4.1');
    expect(newest.models.get('wearable-distress')).toBe('1.2.0');
  });

  it('flags a device behind the fleet as outdated, naming the agent and each model behind', () => {
    expect(assessDevice(fleet[0]!, newest, [])).toEqual({ state: 'online', outdated: false, erroring: false, problems: [] });
    expect(assessDevice(fleet[1]!, newest, [])).toEqual({
      state: 'online',
      outdated: true,
      erroring: false,
      problems: [
        { code: 'agent_outdated', subject: null },
        { code: 'model_outdated', subject: 'wearable-distress' },
      ],
    });
  });

  it('flags a source in error, a failed doctor check, a refused config, a clock off by more than 10 s and a growing outbox as erroring', () => {
    const d = row('4', {
      sources: { camera: 'error', wearable: 'no_signal' },
      clockOffsetMs: -12_000,
      lastStatus: status({
        doctor: {
          at: new Date().toISOString(),
          checks: [
            { name: 'camera', result: 'fail', code: 'no_frames' },
            { name: 'clock', result: 'warn', code: 'offset_large' },
          ],
        },
        config: { version: 3, state: 'refused', reason: 'camera_unavailable', field: 'camera.device' },
      }),
    });
    const health = assessDevice(d, newest, [2, 6, 10]);
    expect(health.erroring).toBe(true);
    expect(health.outdated).toBe(false);
    expect(health.problems).toEqual([
      { code: 'source_error', subject: 'camera' },
      { code: 'doctor_fail', subject: 'camera' },
      { code: 'config_refused', subject: 'camera_unavailable' },
      { code: 'clock_off', subject: null },
      { code: 'outbox_growing', subject: null },
    ]);
  });

  it('does not flag a clock at exactly 10 s, an applied config, a warning or a shrinking backlog', () => {
    const d = row('5', {
      clockOffsetMs: 10_000,
      lastStatus: status({
        doctor: { at: new Date().toISOString(), checks: [{ name: 'clock', result: 'warn', code: 'offset_large' }] },
        config: { version: 3, state: 'applied', reason: null, field: null },
      }),
    });
    expect(assessDevice(d, newest, [10, 6, 2])).toMatchObject({ erroring: false, problems: [] });
  });

  it('never flags a decommissioned device', () => {
    expect(assessDevice(fleet[2]!, newest, [1, 2, 3])).toEqual({ state: 'decommissioned', outdated: false, erroring: false, problems: [] });
  });
});

describe('summarizeFleet', () => {
  it('counts states and flags, and the versions in service with their devices, newest first', () => {
    const rows = [
      row('1'),
      row('2'),
      row('3', { agentVersion: '0.4.0', models: { 'wearable-distress': '1.1.9' }, state: 'offline' }),
      row('4', { agentVersion: null, models: {}, state: 'never_seen', sources: null }),
      row('5', { agentVersion: '0.3.0', decommissionedAt: new Date() }),
    ];
    const newest = newestVersions(rows);
    const summary = summarizeFleet(rows.map((r) => ({ row: r, health: assessDevice(r, newest, []) })));
    expect(summary).toEqual({
      total: 5,
      states: { online: 2, offline: 1, never_seen: 1, decommissioned: 1 },
      erroring: 0,
      outdated: 1,
      agentVersions: [
        { version: '0.4.1', devices: 2 },
        { version: '0.4.0', devices: 1 },
      ],
      modelVersions: [
        { name: 'wearable-distress', version: '1.2.0', devices: 2 },
        { name: 'wearable-distress', version: '1.1.9', devices: 1 },
      ],
    });
  });
});
