/** A stay's alert sensitivity and the ward's alert quality figures (docs/api.md "Alerts"). */
import { z } from 'zod';
import { AlertCategorySchema, AlertKindSchema, OUTCOME_VALUES } from './alerts.ts';
import { answerOf, IsoTime, named } from './common.ts';

export const AlertSensitivitySchema = named(
  'AlertSensitivity',
  'How readily the distress rule alerts for a stay.',
  z.enum(['lower', 'standard', 'higher']),
);
export type AlertSensitivity = z.infer<typeof AlertSensitivitySchema>;

export const AlertSensitivitySettingSchema = named(
  'AlertSensitivitySetting',
  "A stay's alert sensitivity as a charge nurse set it (setBy: display name); it lapses at expiresAt, 24 h later.",
  z.object({ sensitivity: AlertSensitivitySchema, reason: z.string(), setBy: z.string(), setAt: IsoTime, expiresAt: IsoTime }),
);
export type AlertSensitivitySetting = z.infer<typeof AlertSensitivitySettingSchema>;

export const AlertSensitivityAnswerSchema = answerOf(
  'AlertSensitivityAnswer',
  'GET and PUT /api/stays/{stayId}/sensitivity (null: standard).',
  'alertSensitivity',
  AlertSensitivitySettingSchema.nullable(),
);
export type AlertSensitivityAnswer = z.infer<typeof AlertSensitivityAnswerSchema>;

export const SetAlertSensitivityBodySchema = named(
  'SetAlertSensitivityBody',
  'PUT /api/stays/{stayId}/sensitivity.',
  z.object({
    sensitivity: AlertSensitivitySchema,
    /** Why: shown on the tile and in the distress alert's explanation, and kept in the audit log. */
    reason: z.string().trim().min(3, 'Give a reason (at least 3 characters)').max(200),
  }),
);

/** The periods the alert quality page offers, in hours. */
export const QUALITY_PERIOD_HOURS = { '24h': 24, '7d': 7 * 24, '30d': 30 * 24 } as const;
export const QualityPeriodSchema = z.enum(Object.keys(QUALITY_PERIOD_HOURS) as [keyof typeof QUALITY_PERIOD_HOURS]);
export type QualityPeriod = z.infer<typeof QualityPeriodSchema>;

/** GET /api/alerts/quality. */
export const AlertQualityQuerySchema = z.object({ period: QualityPeriodSchema.default('7d'), wardId: z.uuid().optional() });

export const OutcomeOrNoneSchema = z.enum([...OUTCOME_VALUES, 'none_recorded']);
export type OutcomeOrNone = z.infer<typeof OutcomeOrNoneSchema>;

const OutcomeShare = z.object({ count: z.number(), share: z.number().nullable() });

export const KindQualitySchema = named(
  'KindQuality',
  'One alert kind on one ward: share is count / alerts (null without alerts); responded counts alerts somebody answered.',
  z.object({
    kind: AlertKindSchema,
    category: AlertCategorySchema,
    alerts: z.number(),
    /** null when the ward had no patient time in the period. */
    alertsPerPatientDay: z.number().nullable(),
    outcomes: z.object({
      intervened: OutcomeShare,
      comforted: OutcomeShare,
      no_action_needed: OutcomeShare,
      false_alarm: OutcomeShare,
      none_recorded: OutcomeShare,
    }),
    responded: z.number(),
    /** Seconds from opening to the first response. */
    timeToAcknowledgeS: z.object({ median: z.number().nullable(), p90: z.number().nullable() }),
  }),
);
export type KindQuality = z.infer<typeof KindQualitySchema>;

export const WardQualitySchema = named(
  'WardQuality',
  'Alert quality of one ward.',
  z.object({ wardId: z.string(), wardName: z.string(), patientDays: z.number(), kinds: z.array(KindQualitySchema) }),
);
export type WardQuality = z.infer<typeof WardQualitySchema>;

export const AlertQualitySchema = named(
  'AlertQuality',
  'GET /api/alerts/quality.',
  z.object({ period: QualityPeriodSchema, from: IsoTime, to: IsoTime, wards: z.array(WardQualitySchema) }),
);
export type AlertQuality = z.infer<typeof AlertQualitySchema>;
