/**
 * Alert vocabulary shared by the alert rules, the alert service and the HTTP API.
 * The shapes mirror docs/api.md (`AlertKind`, `Priority`, `AlertState`, `Outcome`, `Explanation`).
 * Pure types and constants: no I/O.
 */

export const ALERT_KINDS = [
  'sustained_distress',
  'possible_pain',
  'device_offline',
  'consent_violation',
  'monitoring_interrupted',
  'signal_lost',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Clinical alerts are about the patient; technical alerts are about the equipment or the data. */
export type AlertCategory = 'clinical' | 'technical';
export const ALERT_CATEGORY: Readonly<Record<AlertKind, AlertCategory>> = {
  sustained_distress: 'clinical',
  possible_pain: 'clinical',
  device_offline: 'technical',
  consent_violation: 'technical',
  monitoring_interrupted: 'technical',
  signal_lost: 'technical',
};

/** IEC 60601-1-8 alarm priorities. */
export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Alerts about the patient, raised by a rule fed the stay's score windows; one open per stay and kind. */
export type ClinicalRuleKind = 'sustained_distress' | 'possible_pain';

/** Technical alerts kept one per device (the consent violation is kept per stay). */
export type TechnicalKind = Exclude<AlertKind, ClinicalRuleKind | 'consent_violation'>;

/**
 * Priority of each technical alert. A device that is online but whose readings are not being
 * stored is medium: the board would otherwise look quiet while a consented patient is unwatched,
 * and nobody can see it from the bedside. An offline device or a lost signal is low: the bed
 * shows it, and a nurse can often put the wristband back or the device is being restarted.
 */
export const TECHNICAL_PRIORITY: Readonly<Record<TechnicalKind, Priority>> = {
  device_offline: 'low',
  monitoring_interrupted: 'medium',
  signal_lost: 'low',
};
/** Larger is more urgent; use to compare priorities (escalation never lowers the rank). */
export const PRIORITY_RANK: Readonly<Record<Priority, number>> = { low: 1, medium: 2, high: 3 };

export const ALERT_STATES = ['firing', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export const OUTCOMES = ['intervened', 'comforted', 'no_action_needed', 'false_alarm'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** One piece of evidence behind an alert: a signal, its value, and what it was compared with. */
export interface EvidenceItem {
  /** Machine name of the signal, e.g. 'distress', 'heart_rate'. */
  signal: string;
  /** The same evidence in plain clinical English. */
  text: string;
  value: number | null;
  unit: string | null;
  /** Fixed threshold the value was compared with, if any. */
  threshold: number | null;
  /** The patient's own baseline the value was compared with, if any. */
  baseline: number | null;
  /** How long the condition has held, seconds, if known. */
  durationS: number | null;
}

export type PainadScore = 0 | 1 | 2;

/** A PAINAD item as far as the system could assess it; `score` is null for a hint that is not a score. */
export interface PainadItem {
  item: string;
  score: PainadScore | null;
  basis: string;
}

export interface Explanation {
  /** One line a nurse reads first. */
  summary: string;
  evidence: EvidenceItem[];
  /** PAINAD items the system could score (or hint at). */
  painad: PainadItem[];
  /** What the system could not observe, in words. */
  unobserved: string[];
  /** Model name -> version. */
  models: Record<string, string>;
}
