/**
 * A stay's alert sensitivity as a charge nurse set it: how long it lasts, whether it is in force,
 * and how a nurse reads it on the distress alert. The rule parameters behind each level live in
 * distress-rule.ts (`distressRuleFor`).
 *
 * Pure: no I/O, no clock; every time comes from the caller.
 */
import type { AlertSensitivity } from './distress-rule.ts';
import type { EvidenceItem } from './alert-types.ts';

/** A setting lapses this long after it was made, and the stay is back to standard. */
export const SENSITIVITY_TTL_MS = 24 * 3600_000;

/** The latest setting for a stay (it may have lapsed: see `inForce`). */
export interface StaySensitivity {
  stayId: string;
  sensitivity: AlertSensitivity;
  reason: string;
  setByUserId: string;
  /** Display name of the charge nurse who set it. */
  setBy: string;
  setAt: Date;
  expiresAt: Date;
}

/** The setting when it is still in force at `at`, else null (standard). */
export function inForce(setting: StaySensitivity | null | undefined, at: Date): StaySensitivity | null {
  if (!setting) return null;
  return setting.expiresAt.getTime() > at.getTime() ? setting : null;
}

/** "14:05 UTC on 2 Dec": the server has no ward time zone, so the zone is named. */
function formatUntil(d: Date): string {
  const hhmm = d.toISOString().slice(11, 16);
  const day = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  return `${hhmm} UTC on ${day}`;
}

/** e.g. "Alert sensitivity: higher until 14:05 UTC on 2 Dec (set by Sam Reyes: post-operative, watch closely)". */
export function describeSensitivity(s: StaySensitivity): string {
  return `Alert sensitivity: ${s.sensitivity} until ${formatUntil(s.expiresAt)} (set by ${s.setBy}: ${s.reason})`;
}

/** The evidence line added to a sustained-distress alert while a setting is in force. */
export function sensitivityEvidence(s: StaySensitivity): EvidenceItem {
  return {
    signal: 'alert_sensitivity',
    text: describeSensitivity(s),
    value: null,
    unit: null,
    threshold: null,
    baseline: null,
    durationS: null,
  };
}
