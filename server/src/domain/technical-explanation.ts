/**
 * Explanations of technical alerts (device offline, consent violation, monitoring interrupted,
 * signal lost): what failed, since when, and that the bed is not being watched. They go to IT as
 * well as to the ward, so they name devices and sources, never a patient.
 */
import type { EvidenceItem, Explanation } from './alert-types.ts';
import { formatElapsed } from '@attune/protocol';
import { evidenceItem } from './explanation.ts';

/** Explanation of a device-offline alert. `lastSeenAt` is null for a device never heard from. */
export function explainDeviceOffline(deviceId: string, lastSeenAt: Date | null, now: Date): Explanation {
  const silentS = lastSeenAt === null ? null : Math.max(0, Math.round((now.getTime() - lastSeenAt.getTime()) / 1000));
  const summary =
    silentS === null
      ? `Bedside device ${deviceId} has never connected: this bed is not being monitored`
      : `Bedside device ${deviceId} offline for ${formatElapsed(silentS)}: this bed is not being monitored`;
  const evidence: EvidenceItem[] = [
    evidenceItem(
      'device_last_seen',
      silentS === null
        ? 'No message received from the device yet'
        : `Last message from the device ${formatElapsed(silentS)} ago (${lastSeenAt!.toISOString()})`,
      { value: silentS, unit: 's', durationS: silentS },
    ),
  ];
  return {
    summary,
    evidence,
    painad: [],
    unobserved: ['All signals at this bed: distress cannot be detected until the device reconnects'],
    models: {},
  };
}

const MODALITY_WORDS: Record<string, string> = { camera: 'Camera (face)', wearable: 'Wearable' };

/** Explanation of a consent-violation alert: the device sent data for modalities the patient did not consent to. */
export function explainConsentViolation(deviceId: string, modalities: string[], at: Date): Explanation {
  const unique = [...new Set(modalities)];
  const names = unique.map((m) => (MODALITY_WORDS[m] ?? m).toLowerCase());
  const list = names.length === 0 ? 'data' : `${names.join(' and ')} data`;
  return {
    summary: `Bedside device ${deviceId} sent ${list} without consent: check the device and the consent settings`,
    evidence: unique.map((m) =>
      evidenceItem(`consent_${m}`, `${MODALITY_WORDS[m] ?? m} data received at ${at.toISOString()} while ${m} consent was off`),
    ),
    painad: [],
    unobserved: [],
    models: {},
  };
}

/** Why a consented, online device's readings are not being stored (the monitoring watchdog decides). */
export type InterruptionReason =
  | { code: 'clock_ahead' | 'clock_behind'; skewS: number }
  | { code: 'refused'; rejection: string }
  | { code: 'storage_stalled' }
  | { code: 'no_windows' };

const REJECTION_WORDS: Record<string, string> = {
  schema: 'its messages are invalid',
  not_json: 'its messages are not readable',
  oversized: 'its messages are too large',
  device_mismatch: 'its messages name another device',
  outside_consent: 'its readings carry data the patient did not consent to',
  no_consent: 'its readings fall outside the consent on record',
  no_active_stay: 'its readings fall outside the patient\u2019s stay',
  erased: 'its readings fall in a period the patient asked to erase',
  storage_refused: 'the database refused its readings',
  server_error: 'the server failed while checking its readings',
};

/** The reason in words, for the alert and for the bed's tile. */
export function describeInterruption(reason: InterruptionReason): string {
  switch (reason.code) {
    case 'clock_ahead':
      return `the device's clock is ${formatElapsed(reason.skewS)} ahead of the server's, so its readings are refused: correct the device's time (NTP)`;
    case 'clock_behind':
      return `the device's readings are ${formatElapsed(-reason.skewS)} old (its clock is behind, or it is sending an old backlog): check the device's time (NTP)`;
    case 'refused':
      return `${REJECTION_WORDS[reason.rejection] ?? 'its readings are refused'}: check the device`;
    case 'storage_stalled':
      return 'its readings arrive but the server cannot store them at the moment (database unreachable or ingest stalled)';
    case 'no_windows':
      return 'no readings arrive from the device although it is online';
  }
}

/** Explanation of a monitoring-interrupted alert: the device is online and consented, but nothing of it is stored. */
export function explainMonitoringInterrupted(
  deviceId: string,
  reason: InterruptionReason,
  lastStoredAt: Date | null,
  now: Date,
): Explanation {
  const silentS = lastStoredAt === null ? null : Math.max(0, Math.round((now.getTime() - lastStoredAt.getTime()) / 1000));
  const words = describeInterruption(reason);
  return {
    summary: `Monitoring interrupted at bedside device ${deviceId}: ${words}`,
    evidence: [
      evidenceItem(
        'last_stored_reading',
        silentS === null ? 'No reading from this device has been stored yet' : `Last reading stored ${formatElapsed(silentS)} ago`,
        { value: silentS, unit: 's', durationS: silentS },
      ),
      ...('skewS' in reason
        ? [
            evidenceItem('device_clock_skew', `Device clock differs from the server's by ${formatElapsed(Math.abs(reason.skewS))}`, {
              value: reason.skewS,
              unit: 's',
            }),
          ]
        : []),
    ],
    painad: [],
    unobserved: ['All signals at this bed: distress cannot be detected until readings are stored again'],
    models: {},
  };
}

const SOURCE_WORDS: Record<'camera' | 'wearable', { name: string; lost: string }> = {
  camera: { name: 'Camera', lost: 'facial expression and pain signs not measured' },
  wearable: { name: 'Wristband', lost: 'heart rate, skin conductance and movement not measured' },
};
const SOURCE_STATE_WORDS: Record<string, string> = {
  no_signal: 'no usable signal (off the wrist, or no samples)',
  error: 'not working (disconnected or failed)',
};

/** Explanation of a signal-lost alert: consented sources that have been failing for a while. */
export function explainSignalLost(
  deviceId: string,
  failing: { source: 'camera' | 'wearable'; state: string; forS: number }[],
): Explanation {
  const names = failing.map((f) => SOURCE_WORDS[f.source].name.toLowerCase()).join(' and ');
  const longest = Math.max(...failing.map((f) => f.forS));
  return {
    summary: `Signal lost at bedside device ${deviceId}: ${names} ${failing.length > 1 ? 'have' : 'has'} given no usable signal for ${formatElapsed(longest)}`,
    evidence: failing.map((f) =>
      evidenceItem(
        `source_${f.source}`,
        `${SOURCE_WORDS[f.source].name}: ${SOURCE_STATE_WORDS[f.state] ?? f.state} for ${formatElapsed(f.forS)}`,
        {
          durationS: f.forS,
        },
      ),
    ),
    painad: [],
    unobserved: failing.map((f) => `${SOURCE_WORDS[f.source].name}: ${SOURCE_WORDS[f.source].lost}`),
    models: {},
  };
}
