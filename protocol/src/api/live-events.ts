/**
 * The live stream (GET /api/events, Server-Sent Events): one map from event name to payload,
 * declared once. The server publishes through it and the dashboard handles events typed by it.
 */
import { z } from 'zod';
import { AlertSchema } from './alerts.ts';
import { DeviceStateSchema, IsoTime, named, WindowScoreSchema } from './common.ts';
import { BedMonitoringSchema } from './board.ts';
import { DeviceSchema } from './fleet.ts';
import { AlertSensitivitySettingSchema } from './quality.ts';

/** Which stay, in which bed of which ward, an event is about. */
const StayAddress = { wardId: z.string(), bedId: z.string(), stayId: z.string() };

export const ScoreEventSchema = named(
  'ScoreEvent',
  'event: score. A stored score window of a bed.',
  z.object({ ...StayAddress, ...WindowScoreSchema.shape }),
);
export type ScoreEvent = z.infer<typeof ScoreEventSchema>;

export const DeviceEventSchema = named(
  'DeviceEvent',
  'event: device. A device came online or went offline.',
  z.object({
    deviceId: z.string(),
    ...DeviceSchema.pick({ wardId: true, bedId: true, lastSeenAt: true, sources: true, clockOffsetMs: true }).shape,
    state: DeviceStateSchema,
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
  z.object({ ...StayAddress, camera: z.boolean(), wearable: z.boolean() }),
);
export type ConsentEvent = z.infer<typeof ConsentEventSchema>;

export const StayEventSchema = named(
  'StayEvent',
  'event: stay. fromBedId: the bed a transferred patient left; alertSensitivity: the new setting (change alert_sensitivity).',
  z.object({
    ...StayAddress,
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

export const EscalationEventSchema = named(
  'EscalationEvent',
  'event: escalation. An alert stayed unacknowledged past ALERT_ESCALATE_AFTER_S: sent to the charge nurses of its ward (every board gets the alert itself, marked escalated).',
  z.object({
    alertId: z.string(),
    ...AlertSchema.pick({ wardId: true, bedId: true, bedLabel: true, kind: true, priority: true }).shape,
    level: z.number().int().min(1),
    unacknowledgedS: z.number(),
  }),
);
export type EscalationEvent = z.infer<typeof EscalationEventSchema>;

export const HeartbeatEventSchema = named(
  'HeartbeatEvent',
  'event: heartbeat. Sent on every open stream every 10 s, without an id (never replayed): a board that hears nothing for 25 s shows itself stale.',
  z.object({ at: IsoTime }).strict(),
);
export type HeartbeatEvent = z.infer<typeof HeartbeatEventSchema>;

/** Event name -> payload schema: the one list of live event names. */
export const LIVE_EVENT_SCHEMAS = {
  score: ScoreEventSchema,
  alert: AlertSchema,
  device: DeviceEventSchema,
  monitoring: MonitoringEventSchema,
  consent: ConsentEventSchema,
  stay: StayEventSchema,
  escalation: EscalationEventSchema,
  heartbeat: HeartbeatEventSchema,
  reset: ResetEventSchema,
} as const;

export type LiveEventType = keyof typeof LIVE_EVENT_SCHEMAS;
export type LiveEventPayloads = { [K in LiveEventType]: z.infer<(typeof LIVE_EVENT_SCHEMAS)[K]> };
export const LIVE_EVENT_TYPES = Object.keys(LIVE_EVENT_SCHEMAS) as LiveEventType[];
