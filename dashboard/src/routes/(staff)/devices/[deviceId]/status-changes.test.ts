import { describe, expect, it } from 'vitest';
import type { DeviceStatusRecord } from '$lib/api/types';
import { withChanges } from './status-changes';

const record = (id: number, over: Partial<DeviceStatusRecord> = {}): DeviceStatusRecord => ({
  id,
  receivedAt: new Date(Date.UTC(2026, 11, 1, 10, 0, id)).toISOString(),
  at: new Date(Date.UTC(2026, 11, 1, 10, 0, id)).toISOString(),
  state: 'online',
  agentVersion: '0.4.0',
  models: { 'wearable-distress': '1.1.9' },
  sources: { camera: 'streaming', wearable: 'streaming' },
  clockOffsetMs: 0,
  outboxBacklog: 0,
  cpuPercent: 10,
  memoryRssBytes: 1e8,
  config: null,
  doctor: null,
  ...over,
});

describe('what changed at each status', () => {
  it('names state, source, version, configuration and doctor changes, newest first', () => {
    const history = [
      record(4, {
        agentVersion: '0.4.1',
        models: { 'wearable-distress': '1.2.0' },
        config: { version: 2, state: 'refused', reason: 'camera_unavailable', field: 'camera.device' },
        doctor: { at: '2026-12-01T10:00:04Z', checks: [{ name: 'camera', result: 'fail', code: 'device_missing' }] },
      }),
      record(3, { sources: { camera: 'error', wearable: 'streaming' } }),
      record(2, { state: 'offline' }),
      record(1),
    ];
    expect(withChanges(history).map((r) => r.changes)).toEqual([
      [
        'Camera: error → streaming',
        'Agent 0.4.0 → 0.4.1',
        'Model wearable-distress 1.1.9 → 1.2.0',
        'Configuration 2 refused: the camera device does not exist on this machine',
        'Doctor failed: Camera',
      ],
      ['Came online', 'Camera: streaming → error'],
      ['Went offline'],
      ['Online'],
    ]);
    expect(withChanges([record(2), record(1)])[0]!.changes).toEqual([]);
  });
});
