/**
 * The live stream (GET /api/events, Server-Sent Events): one map from event name to payload,
 * declared once. The server publishes through it and the dashboard handles events typed by it.
 */
import { z } from 'zod';
import { AlertSchema } from './alerts.ts';
import { DeviceStateSchema, DriverSchema, IsoTime, named, SourcesSchema } from './common.ts';
import { BedMonitoringSchema } from './board.ts';
import { AlertSensitivitySettingSchema } from './quality.ts';

export const ScoreEventSchema = named(
  'ScoreEvent',
  'event: score. A stored score window of a bed.',
  z.object({
    wardId: z.string(),
    bedId: z.string(),
    stayId: z.string(),
    windowEnd: IsoTime,
    distress: z.number(),
    confidence: z.number(),
    drivers: z.array(DriverSchema),
  }),
);
export type ScoreEvent = z.infer<typeof ScoreEventSchema>;

export const DeviceEventSchema = named(
  'DeviceEvent',
  'event: device. A device came online or went offline.',
  z.object({
    deviceId: z.string(),
    wardId: z.string().nullable(),
    bedId: z.string().nullable(),
    state: DeviceStateSchema,
    lastSeenAt: IsoTime.nullable(),
    sources: SourcesSchema.nullable(),
    clockOffsetMs: z.number().nullable(),
  }),
);
export type DeviceEvent = z.infer<typeof DeviceEventSchema>;

export const MonitoringEventSchema = named(
  'MonitoringEvent',
  "event: monitoring. A bed's monitoring changed (interrupted or back, a signal lost, a device clock off).",
  z.object({ deviceId: z.string(), bedId: z.string(), wardId: z.string(), ...BedMonitoringSchema.shape }),
);
export type MonitoringEvent = z.infer<typeof MonitoringEventSchema>;

export const ConsentEventSchema = named(
  'ConsentEvent',
  "event: consent. A stay's consent changed.",
  z.object({ wardId: z.string(), bedId: z.string(), stayId: z.string(), camera: z.boolean(), wearable: z.boolean() }),
);
export type ConsentEvent = z.infer<typeof ConsentEventSchema>;

export const StayEventSchema = named(
  'StayEvent',
  'event: stay. fromBedId: the bed a transferred patient left; alertSensitivity: the new setting (change alert_sensitivity).',
  z.object({
    wardId: z.string(),
    bedId: z.string(),
    stayId: z.string(),
    change: z.enum(['admitted', 'transferred', 'discharged', 'alert_sensitivity']),
    fromBedId: z.string().optional(),
    alertSensitivity: AlertSensitivitySettingSchema.optional(),
  }),
);
export type StayEvent = z.infer<typeof StayEventSchema>;

export const ResetEventSchema = named(
  'ResetEvent',
  'event: reset. The stream could not resume from Last-Event-ID: reload everything.',
  z.object({}).strict(),
);

/** Event name -> payload schema: the one list of live event names. */
export const LIVE_EVENT_SCHEMAS = {
  score: ScoreEventSchema,
  alert: AlertSchema,
  device: DeviceEventSchema,
  monitoring: MonitoringEventSchema,
  consent: ConsentEventSchema,
  stay: StayEventSchema,
  reset: ResetEventSchema,
} as const;

export type LiveEventType = keyof typeof LIVE_EVENT_SCHEMAS;
export type LiveEventPayloads = { [K in LiveEventType]: z.infer<(typeof LIVE_EVENT_SCHEMAS)[K]> };
export const LIVE_EVENT_TYPES = Object.keys(LIVE_EVENT_SCHEMAS) as LiveEventType[];
