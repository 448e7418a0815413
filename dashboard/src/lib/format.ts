/** Words and formats shared by the dashboard. Status is always said in text, never colour alone. */
import type {
  AlertKind,
  AlertSensitivity,
  AlertState,
  DeviceState,
  Outcome,
  OutcomeOrNone,
  Priority,
  Role,
  SourceState,
} from './api/types';

export const PRIORITY_ORDER: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

export const PRIORITY_LABEL: Record<Priority, string> = { high: 'High', medium: 'Medium', low: 'Low' };

export const ALERT_STATE_LABEL: Record<AlertState, string> = {
  firing: 'Needs attention',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

export const ALERT_KIND_LABEL: Record<AlertKind, string> = {
  sustained_distress: 'Sustained distress',
  possible_pain: 'Possible pain (face only)',
  device_offline: 'Device offline',
  consent_violation: 'Consent violation',
  monitoring_interrupted: 'Monitoring interrupted',
  signal_lost: 'Signal lost',
};

export const OUTCOME_LABEL: Record<Outcome, string> = {
  intervened: 'Intervened',
  comforted: 'Comforted',
  no_action_needed: 'No action needed',
  false_alarm: 'False alarm',
};

export const OUTCOMES: Outcome[] = ['intervened', 'comforted', 'no_action_needed', 'false_alarm'];

export const OUTCOME_OR_NONE_LABEL: Record<OutcomeOrNone, string> = { ...OUTCOME_LABEL, none_recorded: 'None recorded' };

export const SENSITIVITY_LABEL: Record<AlertSensitivity, string> = { lower: 'Lower', standard: 'Standard', higher: 'Higher' };

/** What each level does, in words a nurse can weigh (the distress rule's opening time). */
export const SENSITIVITY_HELP: Record<AlertSensitivity, string> = {
  lower: 'Fewer alerts: distress must last longer before the alert opens.',
  standard: 'The ward default.',
  higher: 'Earlier alerts: the alert opens after a shorter spell of distress. Expect more alerts.',
};

export const DEVICE_STATE_LABEL: Record<DeviceState, string> = {
  online: 'Online',
  offline: 'Offline',
  never_seen: 'Never seen',
};

export const SOURCE_STATE_LABEL: Record<SourceState, string> = {
  streaming: 'streaming',
  stopped: 'stopped',
  no_consent: 'off (no consent)',
  no_signal: 'no signal',
  error: 'error',
  not_configured: 'not configured',
};

/** Evidence signal ids from the server's explanation, in words; unknown ids are humanised. */
const SIGNAL_LABEL: Record<string, string> = {
  distress: 'Distress',
  confidence: 'Confidence',
  heart_rate: 'Heart rate',
  hrv_rmssd: 'Heart-rate variability (RMSSD)',
  hrv_sdnn: 'Heart-rate variability (SDNN)',
  skin_conductance_level: 'Skin conductance level',
  skin_conductance_responses: 'Skin conductance responses',
  skin_temperature: 'Skin temperature',
  activity: 'Movement',
  pspi: 'Pain face (PSPI)',
  painad_face: 'PAINAD facial expression',
  neutral_face_baseline: "Patient's neutral face",
  face_visible: 'Face visible',
  alert_sensitivity: 'Alert sensitivity',
  negative_affect: 'Negative expression',
};

export function signalLabel(signal: string): string {
  const known = SIGNAL_LABEL[signal];
  if (known) return known;
  const words = signal.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const ROLE_LABEL: Record<Role, string> = {
  nurse: 'Nurse',
  charge_nurse: 'Charge nurse',
  it_admin: 'IT admin',
};

// Wards read the 24-hour clock; the user's locale decides everything else.
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "14:05" */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : timeFmt.format(d);
}

/** "25 Nov, 14:05" */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : dateTimeFmt.format(d);
}

/** "just now", "4 min ago", "2 h ago", "3 days ago" */
export function formatAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

/** Distress 0..1 shown as a two-decimal number, e.g. 0.82. */
export function formatScore(x: number | null | undefined): string {
  return x == null || !Number.isFinite(x) ? '—' : x.toFixed(2);
}

/** 0.8 -> "80%" */
export function formatPercent(x: number | null | undefined): string {
  return x == null || !Number.isFinite(x) ? '—' : `${Math.round(x * 100)}%`;
}

/** 330 -> "5 min 30 s" */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest ? `${m} min ${rest} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** A device clock offset in words: "3 min 5 s ahead", "12 s behind". */
export function formatClockOffset(offsetMs: number): string {
  return `${formatDuration(Math.abs(offsetMs) / 1000)} ${offsetMs > 0 ? 'ahead' : 'behind'}`;
}

/** A number with its unit: "96 bpm", "0.82". */
export function formatValue(value: number | null, unit: string | null): string {
  if (value == null) return '—';
  const v = Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) < 10 ? 2 : 1);
  if (!unit) return v;
  return unit === '%' ? `${v}%` : `${v} ${unit}`;
}
