/** Alerts, their explanation and history, alert sensitivity and alert quality (docs/api.md "Alerts"). */
import { z } from 'zod';
import { answerOf, IsoTime, named } from './common.ts';

export const AlertKindSchema = named(
  'AlertKind',
  'Clinical kinds are about the patient; the others about the equipment or the data.',
  z.enum(['sustained_distress', 'possible_pain', 'device_offline', 'consent_violation', 'monitoring_interrupted', 'signal_lost']),
);
export type AlertKind = z.infer<typeof AlertKindSchema>;

export const AlertCategorySchema = z.enum(['clinical', 'technical']);
export type AlertCategory = z.infer<typeof AlertCategorySchema>;

export const PrioritySchema = named('Priority', 'IEC 60601-1-8 alarm priority.', z.enum(['high', 'medium', 'low']));
export type Priority = z.infer<typeof PrioritySchema>;

export const AlertStateSchema = named('AlertState', 'Where the alert is in its life.', z.enum(['firing', 'acknowledged', 'resolved']));
export type AlertState = z.infer<typeof AlertStateSchema>;

export const OUTCOME_VALUES = ['intervened', 'comforted', 'no_action_needed', 'false_alarm'] as const;
export const OutcomeSchema = named('Outcome', 'What the nurse found when resolving the alert.', z.enum(OUTCOME_VALUES));
export type Outcome = z.infer<typeof OutcomeSchema>;

export const AlertSummarySchema = named(
  'AlertSummary',
  'The highest-priority open alert of a bed, as its tile shows it.',
  z.object({
    id: z.string(),
    kind: AlertKindSchema,
    priority: PrioritySchema,
    state: AlertStateSchema,
    summary: z.string(),
    openedAt: IsoTime,
    /** When the alert last started firing (opened, or reactivated): "unacknowledged N min" counts from here. */
    firingSince: IsoTime,
    acknowledgedAt: IsoTime.nullable(),
    /** 0 until unacknowledged for ALERT_ESCALATE_AFTER_S; then 1, 2, … one level per further period. */
    escalationLevel: z.number().int().min(0),
  }),
);
export type AlertSummary = z.infer<typeof AlertSummarySchema>;

export const EvidenceSchema = named(
  'Evidence',
  'One piece of evidence behind an alert: a signal, its value, and what it was compared with.',
  z.object({
    signal: z.string(),
    text: z.string(),
    value: z.number().nullable(),
    unit: z.string().nullable(),
    threshold: z.number().nullable(),
    baseline: z.number().nullable(),
    durationS: z.number().nullable(),
  }),
);
export type Evidence = z.infer<typeof EvidenceSchema>;

export const PainadItemSchema = named(
  'PainadItem',
  'A PAINAD item as far as the system could assess it; `score` is null for a hint that is not a score.',
  z.object({ item: z.string(), score: z.literal([0, 1, 2]).nullable(), basis: z.string() }),
);
export type PainadItem = z.infer<typeof PainadItemSchema>;

export const ExplanationSchema = named(
  'Explanation',
  'Why the alert fired, in words a nurse reads first, with the evidence and what could not be observed.',
  z.object({
    summary: z.string(),
    evidence: z.array(EvidenceSchema),
    painad: z.array(PainadItemSchema),
    unobserved: z.array(z.string()),
    /** Model name -> version. */
    models: z.record(z.string(), z.string()),
  }),
);
export type Explanation = z.infer<typeof ExplanationSchema>;

export const AlertSchema = named(
  'Alert',
  'One alert. Technical staff get technical alerts only, with patientName, stayId and note null.',
  z.object({
    id: z.string(),
    kind: AlertKindSchema,
    category: AlertCategorySchema,
    priority: PrioritySchema,
    state: AlertStateSchema,
    /** false once the condition cleared with hysteresis; the alert stays until resolved. */
    conditionActive: z.boolean(),
    wardId: z.string(),
    bedId: z.string().nullable(),
    bedLabel: z.string().nullable(),
    stayId: z.string().nullable(),
    patientName: z.string().nullable(),
    deviceId: z.string().nullable(),
    openedAt: IsoTime,
    /** When the alert last started firing (opened, or reactivated): "unacknowledged N min" counts from here. */
    firingSince: IsoTime,
    /** 0 until unacknowledged for ALERT_ESCALATE_AFTER_S; then 1, 2, … one level per further period. */
    escalationLevel: z.number().int().min(0),
    /** When the last escalation level was reached; null when never escalated. */
    escalatedAt: IsoTime.nullable(),
    updatedAt: IsoTime,
    conditionClearedAt: IsoTime.nullable(),
    acknowledgedAt: IsoTime.nullable(),
    /** Display name. */
    acknowledgedBy: z.string().nullable(),
    resolvedAt: IsoTime.nullable(),
    /** Display name. */
    resolvedBy: z.string().nullable(),
    outcome: OutcomeSchema.nullable(),
    note: z.string().nullable(),
    explanation: ExplanationSchema,
  }),
);
export type Alert = z.infer<typeof AlertSchema>;

export const AlertEventTypeSchema = z.enum([
  'opened',
  'escalated',
  'updated',
  'condition_cleared',
  'reactivated',
  'acknowledged',
  'resolved',
]);
export type AlertEventType = z.infer<typeof AlertEventTypeSchema>;

export const AlertEventSchema = named(
  'AlertEvent',
  "One step of an alert's history; `actor` is a display name. escalated: detail { from, to } when the priority rose, { level, unacknowledgedS } when nobody acknowledged it in time.",
  z.object({
    id: z.string(),
    at: IsoTime,
    type: AlertEventTypeSchema,
    actor: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
  }),
);
export type AlertEvent = z.infer<typeof AlertEventSchema>;

export const AlertListSchema = answerOf('AlertList', 'GET /api/alerts.', 'alerts', z.array(AlertSchema));
export type AlertList = z.infer<typeof AlertListSchema>;

export const AlertWithHistorySchema = named(
  'AlertWithHistory',
  'GET /api/alerts/{id}.',
  z.object({ alert: AlertSchema, events: z.array(AlertEventSchema) }),
);
export type AlertWithHistory = z.infer<typeof AlertWithHistorySchema>;

export const AlertAnswerSchema = answerOf('AlertAnswer', 'An alert after acknowledging or resolving it.', 'alert', AlertSchema);
export type AlertAnswer = z.infer<typeof AlertAnswerSchema>;

export const AlertStateFilterSchema = z.enum(['open', 'firing', 'acknowledged', 'resolved', 'all']);
export type AlertStateFilter = z.infer<typeof AlertStateFilterSchema>;

/** A time in a query string: ISO-8601 with Z or an offset (e.g. `new Date().toISOString()`); anything else is a 400. */
const QueryTime = z.iso.datetime({ offset: true }).meta({ format: 'date-time' });

/**
 * GET /api/alerts: `open` (the default) is firing and acknowledged together, `all` every state.
 * from/to bound when the alert opened (from inclusive, to exclusive; from must be before to).
 * Order: open, firing and acknowledged as on the board (firing first, then high priority first,
 * then newest first); resolved and all newest first (by openedAt). At most `limit` alerts, the first in that order.
 */
export const AlertListQuerySchema = z.object({
  state: AlertStateFilterSchema.default('open'),
  wardId: z.uuid().optional(),
  kind: AlertKindSchema.optional(),
  priority: PrioritySchema.optional(),
  bedId: z.uuid().optional(),
  from: QueryTime.optional(),
  to: QueryTime.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export type AlertListQuery = z.input<typeof AlertListQuerySchema>;

export const ResolveAlertBodySchema = named(
  'ResolveAlertBody',
  'POST /api/alerts/{id}/resolve.',
  z.object({ outcome: OutcomeSchema, note: z.string().trim().max(500).optional() }),
);
export type ResolveAlertBody = z.input<typeof ResolveAlertBodySchema>;
