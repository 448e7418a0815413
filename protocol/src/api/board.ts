/** Wards and the live ward board (docs/api.md "Wards and board"); the device fleet is in fleet.ts. */
import { z } from 'zod';
import { AlertSummarySchema } from './alerts.ts';
import { answerOf, DeviceStateSchema, IsoTime, named, SourcesSchema, SourceStateSchema, WindowScoreSchema } from './common.ts';
import { AlertSensitivitySettingSchema } from './quality.ts';

export const WardSummarySchema = named(
  'WardSummary',
  'A ward with its number of beds.',
  z.object({ id: z.string(), name: z.string(), bedCount: z.number() }),
);
export type WardSummary = z.infer<typeof WardSummarySchema>;

export const WardListSchema = answerOf('WardList', 'GET /api/wards.', 'wards', z.array(WardSummarySchema));
export type WardList = z.infer<typeof WardListSchema>;

export const BedMonitoringSchema = named(
  'BedMonitoring',
  "Whether the bed is being monitored, as the server's watchdog sees it. not_expected: no readings are due (device offline, no patient, no consent).",
  z.object({
    state: z.enum(['monitoring', 'interrupted', 'not_expected']),
    /** Why monitoring is interrupted, in words. */
    reason: z.string().nullable(),
    /** Consented sources with no usable signal for a minute or more. */
    signalLost: z.array(z.object({ source: z.enum(['camera', 'wearable']), state: SourceStateSchema, forS: z.number() })),
    /** Device clock minus the server's, ms, when off by more than 10 s. */
    clockOffWarningMs: z.number().nullable(),
  }),
);
export type BedMonitoring = z.infer<typeof BedMonitoringSchema>;

export const BedTileSchema = named(
  'BedTile',
  'One bed on the board. consent null: none recorded. sparkline: last 30 min, one point per minute. alertSensitivity null: standard.',
  z.object({
    bedId: z.string(),
    /** e.g. "Bed 3" */
    label: z.string(),
    stay: z.object({ id: z.string(), patientName: z.string(), admittedAt: IsoTime }).nullable(),
    alertSensitivity: AlertSensitivitySettingSchema.nullable(),
    consent: z.object({ camera: z.boolean(), wearable: z.boolean(), byProxy: z.boolean(), since: IsoTime }).nullable(),
    device: z
      .object({ id: z.string(), state: DeviceStateSchema, lastSeenAt: IsoTime.nullable(), sources: SourcesSchema.nullable() })
      .nullable(),
    monitoring: BedMonitoringSchema,
    latest: WindowScoreSchema.nullable(),
    sparkline: z.array(z.object({ t: IsoTime, distress: z.number() })),
    /** Highest-priority open alert of the stay. */
    openAlert: AlertSummarySchema.nullable(),
  }),
);
export type BedTile = z.infer<typeof BedTileSchema>;

export const BoardSchema = named(
  'Board',
  'GET /api/wards/{wardId}/board.',
  z.object({ ward: z.object({ id: z.string(), name: z.string() }), generatedAt: IsoTime, beds: z.array(BedTileSchema) }),
);
export type Board = z.infer<typeof BoardSchema>;
