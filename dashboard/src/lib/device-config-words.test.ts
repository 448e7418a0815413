import { describe, expect, it } from 'vitest';
import { exampleDeviceConfig } from '@attune/protocol';
import type { DeviceConfigAnswer } from '$lib/api/device-config';
import { bodyFrom, formFrom, isWaitingForAgent, reportWords } from './device-config-words';

const desired = {
  ...exampleDeviceConfig,
  version: 4,
  sources: { camera: true, wearable: false },
  modelVersionsAllowed: { 'wearable-distress': ['3.0.0', '3.1.0'] },
};
const answer = (patch: Partial<DeviceConfigAnswer> = {}): DeviceConfigAnswer => ({
  deviceId: 'bed-03-agent',
  desired,
  reported: null,
  models: { 'wearable-distress': '3.0.0', 'face-detector': '1.0.0' },
  ...patch,
});
const at = '2026-12-03T10:02:30.000Z';

describe('device configuration in words', () => {
  it('says what the agent did with it, naming the camera device it could not find', () => {
    expect(reportWords(answer())).toBeNull();
    expect(reportWords(answer({ reported: { version: 3, state: 'applied', reason: null, field: null, at } }))).toMatch(
      /^Applied version 3 at \d{1,2}:\d{2}\.$/,
    );
    const refused = reportWords(
      answer({ reported: { version: 4, state: 'refused', reason: 'camera_unavailable', field: 'camera.device', at } }),
    );
    expect(refused).toMatch(
      /^Refused version 4 at \d{1,2}:\d{2}: camera \/dev\/video2 not found on this machine.*The previous settings stay in force\.$/,
    );
    expect(
      reportWords(answer({ reported: { version: 4, state: 'refused', reason: 'source_not_configured', field: 'sources.wearable', at } })),
    ).toContain('no wristband is set up on this machine');
  });

  it('waits for the agent until it reports on the version saved', () => {
    expect(isWaitingForAgent(answer())).toBe(true);
    expect(isWaitingForAgent(answer({ reported: { version: 4, state: 'applied', reason: null, field: null, at } }))).toBe(false);
    expect(isWaitingForAgent(answer({ desired: null }))).toBe(false);
  });

  it('fills the form from the configuration and turns it back into the same body', () => {
    const form = formFrom(answer());
    expect(form).toEqual({
      windowS: '10',
      camera: true,
      wearable: false,
      cameraDevice: '/dev/video2',
      fps: '2',
      versions: { 'face-detector': '', 'wearable-distress': '3.0.0, 3.1.0' },
    });
    const { v: _v, deviceId: _d, version: _n, issuedAt: _i, ...settings } = desired;
    expect(bodyFrom(form)).toEqual(settings);
    // Blank means the machine's own camera and any model version.
    expect(bodyFrom({ ...form, cameraDevice: ' ', versions: { 'wearable-distress': ' , ' } })).toMatchObject({
      camera: { device: null },
      modelVersionsAllowed: {},
    });
  });
});
