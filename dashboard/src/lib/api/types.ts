/**
 * Shapes of the Attune HTTP API and SSE stream, exactly as docs/api.md defines them.
 * Times are ISO-8601 UTC strings.
 */

export type Role = 'nurse' | 'charge_nurse' | 'it_admin';

export type User = {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  /** Wards the user works on (empty for it_admin). */
  wardIds: string[];
  /** An administrator set the password: the session opens nothing but the password change until the user picks their own. */
  mustChangePassword: boolean;
};

export type ApiErrorBody = {
  error: { code: ApiErrorCode; message: string; fields?: Record<string, string> };
};

export type ApiErrorCode =
  | 'validation_failed'
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  /** Sign-in throttled after failed attempts (429 with Retry-After). */
  | 'too_many_attempts'
  /** Tablet pairing on this ward is paused after too many wrong codes (429 with Retry-After). */
  | 'pairing_paused'
  /** The user must choose a new password before anything else (403). */
  | 'password_change_required'
  | 'internal';

// --- Wards and board -------------------------------------------------------------------------

export type WardSummary = { id: string; name: string; bedCount: number };

export type SourceState = 'streaming' | 'stopped' | 'no_consent' | 'no_signal' | 'error' | 'not_configured';

/**
 * What drove a distress score: a code with its numbers (MQTT protocol v2) and the server's words
 * for it. Show `text`; the numbers are for charts and tooltips.
 */
export type Driver = {
  code: string;
  value?: number;
  unit?: string;
  /** The patient's own baseline, same unit. */
  baseline?: number;
  /** How long the sign has lasted, seconds. */
  durationS?: number;
  text: string;
};

/** Whether the bed is being monitored, as the server's watchdog sees it. */
export type BedMonitoring = {
  /** not_expected: no readings are due (device offline, no patient, no consent). */
  state: 'monitoring' | 'interrupted' | 'not_expected';
  /** Why monitoring is interrupted, in words. */
  reason: string | null;
  /** Consented sources with no usable signal for a minute or more. */
  signalLost: { source: 'camera' | 'wearable'; state: SourceState; forS: number }[];
  /** Device clock minus the server's, ms, when off by more than 10 s. */
  clockOffWarningMs: number | null;
};

export type DeviceState = 'online' | 'offline' | 'never_seen';

export type Sources = { camera: SourceState; wearable: SourceState };

export type BedTile = {
  bedId: string;
  /** e.g. "Bed 3" */
  label: string;
  stay: null | { id: string; patientName: string; admittedAt: string };
  /** null: no consent recorded */
  consent: null | { camera: boolean; wearable: boolean; byProxy: boolean; since: string };
  device: null | {
    id: string;
    state: DeviceState;
    lastSeenAt: string | null;
    sources: Sources | null;
  };
  monitoring: BedMonitoring;
  latest: null | { windowEnd: string; distress: number; confidence: number; drivers: Driver[] };
  /** Last 30 min, one point per minute (max of the minute). */
  sparkline: { t: string; distress: number }[];
  /** Highest-priority open alert of the stay. */
  openAlert: null | AlertSummary;
  /** The alert sensitivity a charge nurse set for the stay, while in force; null: standard. */
  alertSensitivity: null | AlertSensitivitySetting;
};

export type Board = { ward: { id: string; name: string }; generatedAt: string; beds: BedTile[] };

// --- Alerts ----------------------------------------------------------------------------------

export type AlertKind =
  'sustained_distress' | 'possible_pain' | 'device_offline' | 'consent_violation' | 'monitoring_interrupted' | 'signal_lost';
/** IEC 60601-1-8 alarm priorities. */
export type Priority = 'high' | 'medium' | 'low';
export type AlertState = 'firing' | 'acknowledged' | 'resolved';
export type Outcome = 'intervened' | 'comforted' | 'no_action_needed' | 'false_alarm';

export type AlertSummary = {
  id: string;
  kind: AlertKind;
  priority: Priority;
  state: AlertState;
  summary: string;
  openedAt: string;
};

export type Evidence = {
  signal: string;
  text: string;
  value: number | null;
  unit: string | null;
  threshold: number | null;
  baseline: number | null;
  durationS: number | null;
};

export type PainadItem = { item: string; score: 0 | 1 | 2 | null; basis: string };

export type Explanation = {
  /** One line a nurse reads first. */
  summary: string;
  evidence: Evidence[];
  /** PAINAD items the system could score. */
  painad: PainadItem[];
  /** What the system could not observe, in words. */
  unobserved: string[];
  /** Model name -> version. */
  models: Record<string, string>;
};

export type Alert = {
  id: string;
  kind: AlertKind;
  category: 'clinical' | 'technical';
  priority: Priority;
  state: AlertState;
  /** false once the condition cleared with hysteresis; the alert stays until resolved */
  conditionActive: boolean;
  wardId: string;
  bedId: string | null;
  bedLabel: string | null;
  stayId: string | null;
  patientName: string | null;
  deviceId: string | null;
  openedAt: string;
  updatedAt: string;
  conditionClearedAt: string | null;
  /** Display names. */
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  outcome: Outcome | null;
  note: string | null;
  explanation: Explanation;
};

export type AlertEventType = 'opened' | 'escalated' | 'updated' | 'condition_cleared' | 'reactivated' | 'acknowledged' | 'resolved';

export type AlertEvent = {
  id: string;
  at: string;
  type: AlertEventType;
  actor: string | null;
  detail: Record<string, unknown>;
};

export type AlertStateFilter = 'open' | 'firing' | 'acknowledged' | 'resolved';

// --- Alert sensitivity and alert quality -----------------------------------------------------

export type AlertSensitivity = 'lower' | 'standard' | 'higher';

/** A stay's alert sensitivity as a charge nurse set it; it lapses at `expiresAt` (24 h later). */
export type AlertSensitivitySetting = {
  sensitivity: AlertSensitivity;
  reason: string;
  /** Display name of the charge nurse. */
  setBy: string;
  setAt: string;
  expiresAt: string;
};

export type QualityPeriod = '24h' | '7d' | '30d';

export type OutcomeOrNone = Outcome | 'none_recorded';

export type KindQuality = {
  kind: AlertKind;
  category: 'clinical' | 'technical';
  alerts: number;
  /** null when the ward had no patient time in the period. */
  alertsPerPatientDay: number | null;
  /** share is count / alerts (null without alerts). */
  outcomes: Record<OutcomeOrNone, { count: number; share: number | null }>;
  /** Alerts somebody answered (acknowledged, or resolved without an acknowledgement). */
  responded: number;
  /** Seconds from opening to the first response. */
  timeToAcknowledgeS: { median: number | null; p90: number | null };
};

export type WardQuality = { wardId: string; wardName: string; patientDays: number; kinds: KindQuality[] };

export type AlertQuality = { period: QualityPeriod; from: string; to: string; wards: WardQuality[] };

// --- Stay timeline ---------------------------------------------------------------------------

export type TimelineScore = {
  windowEnd: string;
  distress: number;
  confidence: number;
  drivers: Driver[];
  hrBpm: number | null;
  negativeAffect: number | null;
};

export type Consent = {
  at: string;
  camera: boolean;
  wearable: boolean;
  actor: 'patient' | 'proxy' | 'staff';
  proxyName: string | null;
};

export type Timeline = {
  stay: {
    id: string;
    patientName: string;
    bedLabel: string;
    wardId: string;
    admittedAt: string;
    dischargedAt: string | null;
  };
  consent: Consent[];
  scores: TimelineScore[];
  alerts: Alert[];
};

// --- Devices ---------------------------------------------------------------------------------

export type Device = {
  id: string;
  isActive: boolean;
  wardId: string | null;
  wardName: string | null;
  bedId: string | null;
  bedLabel: string | null;
  state: DeviceState;
  lastSeenAt: string | null;
  lastScoreAt: string | null;
  agentVersion: string | null;
  models: Record<string, string>;
  sources: Sources | null;
  /** Device clock minus the server's, ms, as the agent last measured it; null until measured. */
  clockOffsetMs: number | null;
  consent: { camera: boolean; wearable: boolean; version: number };
};

// --- Live events (GET /api/events) -----------------------------------------------------------

export type ScoreEvent = {
  wardId: string;
  bedId: string;
  stayId: string;
  windowEnd: string;
  distress: number;
  confidence: number;
  drivers: Driver[];
};

export type DeviceEvent = {
  deviceId: string;
  wardId: string | null;
  bedId: string | null;
  state: DeviceState;
  lastSeenAt: string | null;
  sources: Sources | null;
  clockOffsetMs: number | null;
};

/** A bed's monitoring changed (interrupted or back, a signal lost, a device clock off). */
export type MonitoringEvent = BedMonitoring & { deviceId: string; bedId: string; wardId: string };

export type ConsentEvent = {
  wardId: string;
  bedId: string;
  stayId: string;
  camera: boolean;
  wearable: boolean;
};

export type StayEvent = {
  wardId: string;
  bedId: string;
  stayId: string;
  change: 'admitted' | 'transferred' | 'discharged' | 'alert_sensitivity';
  /** Transfers: the bed the patient left. */
  fromBedId?: string;
  /** change 'alert_sensitivity': the new setting. */
  alertSensitivity?: AlertSensitivitySetting;
};

export type LiveEventMap = {
  score: ScoreEvent;
  stay: StayEvent;
  alert: Alert;
  device: DeviceEvent;
  monitoring: MonitoringEvent;
  consent: ConsentEvent;
  reset: Record<string, never>;
};

// --- Stays: admit, transfer, discharge; consent record ---------------------------------------

export type ConsentActor = 'patient' | 'proxy' | 'staff';

/** The consent in force for a stay; null: none recorded (nothing is measured). */
export type CurrentConsent = {
  camera: boolean;
  wearable: boolean;
  actor: ConsentActor;
  proxyName: string | null;
  proxyRelationship: string | null;
  since: string;
};

export type Stay = {
  id: string;
  patientName: string;
  externalId: string | null;
  bedId: string;
  bedLabel: string;
  wardId: string;
  admittedAt: string;
  dischargedAt: string | null;
  consent: CurrentConsent | null;
};

/** A ward as the tablet's "which ward is this tablet on?" lists it. */
export type TabletWard = { id: string; name: string };

export type TabletPairing = {
  /** Six digits. */
  code: string;
  /** The bed's ward: the code pairs only a tablet on this ward. */
  wardId: string;
  expiresAt: string;
  /** e.g. "/tablet?ward=<wardId>&code=123456" (relative to this origin). */
  pairUrl: string;
  /** A QR code of the pairing address as an SVG document, made by the server. */
  qrSvg: string;
};

export type ConsentVerification = {
  ok: boolean;
  /** Number of events checked. */
  events: number;
  brokenEventId?: string;
  problem?: string;
};

// --- Bedside tablet --------------------------------------------------------------------------

export type TabletLanguage = 'en' | 'es';

export type TabletState = {
  stayId: string;
  bedLabel: string;
  patientName: string;
  consent: CurrentConsent | null;
  languages: string[];
};

/**
 * Server-owned consent text, shown verbatim. Its hash covers every word below, and is sent back
 * with the decision, so the record says exactly what the person read.
 */
export type ConsentTexts = {
  language: string;
  version: string;
  hash: string;
  /** The language's own name ("English", "Español"). */
  languageName: string;
  title: string;
  intro: string;
  sections: { heading: string; body: string }[];
  choices: {
    heading: string;
    camera: { label: string; description: string };
    wearable: { label: string; description: string };
  };
  who: { heading: string; patient: string; proxy: string; proxyName: string; proxyRelationship: string };
  confirm: {
    heading: string;
    body: string;
    typedNamePatient: string;
    typedNameProxy: string;
    button: string;
    nameMismatch: string;
    back: string;
  };
  status: {
    heading: string;
    cameraOn: string;
    cameraOff: string;
    wearableOn: string;
    wearableOff: string;
    none: string;
    byPatient: string;
    byProxy: string;
    byStaff: string;
    since: string;
    change: string;
  };
  stop: {
    button: string;
    confirmHeading: string;
    confirmBody: string;
    alsoDelete: string;
    alsoDeleteDescription: string;
    confirmButton: string;
    cancel: string;
    done: string;
    /** With {scoreWindows} and {alerts}. */
    deleted: string;
  };
};

export type TabletConsentBody = {
  camera: boolean;
  wearable: boolean;
  actor: 'patient' | 'proxy';
  proxyName?: string;
  proxyRelationship?: string;
  typedName: string;
  language: string;
  textHash: string;
};

export type TabletStopResult = { tablet: TabletState; deleted: { scoreWindows: number; alerts: number } | null };

// --- User administration (it_admin) ------------------------------------------------------------

/** A user as GET /api/users lists it. */
export type AdminUser = {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  wardIds: string[];
  wards: { id: string; name: string | null }[];
  isActive: boolean;
  mustChangePassword: boolean;
  lastSignInAt: string | null;
  createdAt: string;
  signsInWith: { password: boolean; directory: boolean };
  /** Sign-in locked after repeated wrong passwords until then; null when not locked. */
  lockedOutUntil: string | null;
};

export type AdminUserList = { users: AdminUser[]; wards: { id: string; name: string }[] };

export type NewUser = { username: string; displayName: string; role: Role; wardIds: string[] };

/** The answer to creating a user or resetting a password: the one-time password is shown once. */
export type UserWithOneTimePassword = { user: AdminUser; oneTimePassword: string };
