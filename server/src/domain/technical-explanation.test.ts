import { describe, expect, it } from 'vitest';
import { explainConsentViolation, explainDeviceOffline } from './technical-explanation.ts';

describe('technical alerts', () => {
  it('device offline: how long since the last message', () => {
    const e = explainDeviceOffline('bed-03-agent', new Date('2026-11-25T10:00:00Z'), new Date('2026-11-25T10:05:00Z'));
    expect(e.summary).toBe('Bedside device bed-03-agent offline for 5 min: this bed is not being monitored');
    expect(e.evidence).toHaveLength(1);
    expect(e.evidence[0]).toMatchObject({ signal: 'device_last_seen', value: 300, unit: 's', durationS: 300 });
    expect(e.painad).toEqual([]);
    expect(e.unobserved.length).toBeGreaterThan(0);
    expect(e.models).toEqual({});
  });

  it('device never seen', () => {
    const e = explainDeviceOffline('bed-07-agent', null, new Date('2026-11-25T10:05:00Z'));
    expect(e.summary).toContain('never connected');
    expect(e.evidence[0]).toMatchObject({ value: null, durationS: null });
  });

  it('consent violation: one evidence item per modality', () => {
    const at = new Date('2026-11-25T10:00:05Z');
    const e = explainConsentViolation('bed-03-agent', ['camera', 'wearable', 'camera'], at);
    expect(e.summary).toBe(
      'Bedside device bed-03-agent sent camera (face) and wearable data without consent: check the device and the consent settings',
    );
    expect(e.evidence.map((x) => x.signal)).toEqual(['consent_camera', 'consent_wearable']);
    expect(e.evidence[0]!.text).toBe('Camera (face) data received at 2026-11-25T10:00:05.000Z while camera consent was off');
    expect(e.models).toEqual({});
    expect(e.painad).toEqual([]);
  });
});
