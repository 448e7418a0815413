/**
 * The rules a score window passes at the door before it may reach a patient's record: its time
 * against the server's clock, and the stay's erasure and consent at the window's time. Pure: the
 * ingest service supplies the clock reading, the stay and the limits.
 */
import type { ScoreWindow } from '@attune/protocol';
import { consentAt } from './consent-ledger.ts';

export type RejectReason =
  | 'bad_topic'
  | 'oversized'
  | 'not_json'
  | 'schema'
  | 'device_mismatch'
  | 'future_window'
  | 'stale_window'
  | 'unknown_device'
  | 'inactive_device'
  | 'no_active_stay'
  | 'no_consent'
  | 'outside_consent'
  | 'erased'
  | 'storage_refused'
  | 'server_error';

/** The last time a device's input was refused, and why (monitoring shows it on the bed's tile). */
export interface DeviceRejection {
  reason: RejectReason;
  at: Date;
  /** For clock rejections: how far the window's end was from the server's clock, seconds (+ ahead, - behind). */
  skewS?: number;
}

/**
 * Time at the door, against the server's own clock: a window from the future (a clock jumped
 * ahead) or older than any outbox legitimately holds is refused before it can reach a patient's
 * record, the board or the alert rule. `skewMs` is windowEnd - receivedAt.
 */
export function clockRefusal(
  skewMs: number,
  limits: { maxClockSkewMs: number; maxAgeMs: number },
): { reason: 'future_window' | 'stale_window'; skewS: number } | null {
  if (skewMs > limits.maxClockSkewMs) return { reason: 'future_window', skewS: Math.round(skewMs / 1000) };
  if (-skewMs > limits.maxAgeMs) return { reason: 'stale_window', skewS: Math.round(skewMs / 1000) };
  return null;
}

/**
 * Erasure and consent, judged at `consentTime` (the earlier of windowEnd and the receive time, so a
 * device clock running ahead cannot carry a window past a withdrawal or an erasure). A window that
 * carries a modality outside consent is refused whole, naming the modalities.
 */
export function consentRefusal(
  window: Pick<ScoreWindow, 'face' | 'wearable'>,
  stay: { dataErasedAt: Date | null; consent: readonly { effectiveAt: Date; camera: boolean; wearable: boolean }[] },
  consentTime: Date,
): { reason: 'erased' | 'no_consent' } | { reason: 'outside_consent'; outside: string[] } | null {
  // The patient asked to delete what was recorded: nothing measured up to then may come back.
  if (stay.dataErasedAt && consentTime.getTime() <= stay.dataErasedAt.getTime()) return { reason: 'erased' };
  const consent = consentAt(stay.consent, consentTime);
  if (!consent || (!consent.camera && !consent.wearable)) return { reason: 'no_consent' };
  const outside = [...(window.face && !consent.camera ? ['camera'] : []), ...(window.wearable && !consent.wearable ? ['wearable'] : [])];
  return outside.length > 0 ? { reason: 'outside_consent', outside } : null;
}
