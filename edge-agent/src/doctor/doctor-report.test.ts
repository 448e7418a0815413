import { describe, expect, it } from 'vitest';
import { decodePayload, DOCTOR_CHECKS, encodePayload, exampleDeviceStatus } from '@attune/protocol';
import { MANIFEST_PATH } from '@attune/models';
import { tempDirPerTest } from '../../test/temp-dirs.ts';
import { parseConfig } from '../config.ts';
import { runAgentDoctor } from './doctor-report.ts';

const tempDir = tempDirPerTest();

describe('the doctor checklist in the running agent', () => {
  it('makes every non-intrusive check, names what it found by code, and leaves the broker and sensor alone', async () => {
    const config = parseConfig({
      deviceId: 'bed-09-agent',
      // Nothing listens here: a broker login would fail, so `skipped` proves none was tried.
      mqtt: { url: 'mqtt://127.0.0.1:1' },
      dataDir: tempDir('attune-doctor-'),
      camera: { kind: 'ffmpeg', input: '/dev/video42' },
      wearable: { kind: 'ble-hrm' },
    });
    const report = await runAgentDoctor(config, MANIFEST_PATH, () => new Date('2026-12-03T10:00:00.000Z'));
    expect(report.at).toBe('2026-12-03T10:00:00.000Z');
    expect(report.checks.map((c) => c.name)).toEqual([...DOCTOR_CHECKS]);
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, [c.result, c.code]]));
    expect(byName).toEqual({
      config: ['ok', null],
      models: ['ok', null],
      data_dir: ['ok', null],
      ffmpeg: ['ok', null],
      camera: ['fail', 'device_missing'],
      wearable: ['skipped', 'in_use_by_agent'],
      broker: ['skipped', 'in_use_by_agent'],
      clock: ['skipped', 'no_server_url'],
    });
    // It fits the status message as it is.
    const status = decodePayload('status', encodePayload('status', { ...exampleDeviceStatus, doctor: report }));
    expect(status.ok).toBe(true);
  });
});
