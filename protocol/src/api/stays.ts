/** Stays: admit, transfer, discharge, the consent record and the stay timeline (docs/api.md "Stays"). */
import { z } from 'zod';
import { AlertSchema } from './alerts.ts';
import { answerOf, IsoTime, named, WindowScoreSchema } from './common.ts';

export const ConsentActorSchema = z.enum(['patient', 'proxy', 'staff']);
export type ConsentActor = z.infer<typeof ConsentActorSchema>;

export const CurrentConsentSchema = named(
  'CurrentConsent',
  'The consent in force for a stay (null where it appears: none recorded, nothing is measured).',
  z.object({
    camera: z.boolean(),
    wearable: z.boolean(),
    actor: ConsentActorSchema,
    proxyName: z.string().nullable(),
    proxyRelationship: z.string().nullable(),
    since: IsoTime,
  }),
);
export type CurrentConsent = z.infer<typeof CurrentConsentSchema>;

export const StaySchema = named(
  'Stay',
  'A patient stay; consent is null when none was recorded or the stay is discharged.',
  z.object({
    id: z.string(),
    patientName: z.string(),
    externalId: z.string().nullable(),
    bedId: z.string(),
    bedLabel: z.string(),
    wardId: z.string(),
    admittedAt: IsoTime,
    dischargedAt: IsoTime.nullable(),
    consent: CurrentConsentSchema.nullable(),
  }),
);
export type Stay = z.infer<typeof StaySchema>;

export const StayAnswerSchema = answerOf('StayAnswer', 'A stay after reading or changing it.', 'stay', StaySchema);
export type StayAnswer = z.infer<typeof StayAnswerSchema>;

export const AdmitBodySchema = named(
  'AdmitBody',
  'POST /api/stays.',
  z.object({
    bedId: z.uuid(),
    displayName: z.string().trim().min(1).max(200),
    externalId: z.string().trim().min(1).max(100).optional(),
  }),
);
export type AdmitBody = z.input<typeof AdmitBodySchema>;

export const TransferBodySchema = named('TransferBody', 'POST /api/stays/{stayId}/transfer.', z.object({ bedId: z.uuid() }));

/** GET /api/stays/{stayId}/timeline?hours= (1 to 72, default 6). */
export const TimelineQuerySchema = z.object({ hours: z.coerce.number().int().min(1).max(72).default(6) });

export const ConsentRecordSchema = named(
  'Consent',
  'One consent event of a stay, as its timeline lists it.',
  z.object({ at: IsoTime, ...CurrentConsentSchema.pick({ camera: true, wearable: true, actor: true, proxyName: true }).shape }),
);
export type Consent = z.infer<typeof ConsentRecordSchema>;

export const TimelineScoreSchema = named(
  'TimelineScore',
  'One stored score window of a stay.',
  WindowScoreSchema.extend({ hrBpm: z.number().nullable(), negativeAffect: z.number().nullable() }),
);
export type TimelineScore = z.infer<typeof TimelineScoreSchema>;

export const TimelineSchema = named(
  'Timeline',
  'GET /api/stays/{stayId}/timeline: scores of the last hours, every alert and the consent history.',
  z.object({
    stay: StaySchema.pick({ id: true, patientName: true, bedLabel: true, wardId: true, admittedAt: true, dischargedAt: true }),
    consent: z.array(ConsentRecordSchema),
    scores: z.array(TimelineScoreSchema),
    alerts: z.array(AlertSchema),
  }),
);
export type Timeline = z.infer<typeof TimelineSchema>;

export const ConsentVerificationSchema = named(
  'ConsentVerification',
  "GET /api/stays/{stayId}/consent/verify: the stay's consent hash chain walked; events is the number checked.",
  z.object({
    stayId: z.string(),
    ok: z.boolean(),
    events: z.number(),
    brokenEventId: z.string().optional(),
    problem: z.string().optional(),
  }),
);
export type ConsentVerification = z.infer<typeof ConsentVerificationSchema>;

export const TabletPairingSchema = named(
  'TabletPairing',
  'POST /api/beds/{bedId}/tablet-pairing: a six-digit code that pairs only a tablet on the ward, its address (relative) and a QR code of it (SVG).',
  z.object({ code: z.string(), wardId: z.string(), expiresAt: IsoTime, pairUrl: z.string(), qrSvg: z.string() }),
);
export type TabletPairing = z.infer<typeof TabletPairingSchema>;
