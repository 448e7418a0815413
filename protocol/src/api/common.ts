/**
 * Building blocks of the HTTP API and SSE contract (docs/api.md): roles, the one error shape,
 * device and source states, and the drivers a score carries. Times are ISO-8601 UTC strings.
 */
import { z } from 'zod';
import { DRIVER_CODE_LIST, DRIVER_UNIT_RANGES, type DriverCode, type DriverUnit } from '../drivers.ts';
import { SOURCE_STATES } from '../schemas.ts';

/** The registry every named API schema joins: docs/api.md's schema section is generated from it. */
export const apiSchemas = z.registry<{ id: string }>();
/** What each named schema is, in a sentence, for docs/api.md. */
export const apiSchemaDescriptions = new Map<string, string>();

/** Registers a schema under its API name (the name docs/api.md and the dashboard use). */
export function named<S extends z.ZodType>(id: string, description: string, schema: S): S {
  apiSchemas.add(schema, { id });
  apiSchemaDescriptions.set(id, description);
  return schema;
}

/**
 * A named answer that carries one thing under one field: `answerOf('UserAnswer', …, 'user', UserSchema)`
 * is `{ user: User }`, `answerOf('WardList', …, 'wards', z.array(WardSummarySchema))` is `{ wards: WardSummary[] }`.
 */
export function answerOf<K extends string, S extends z.ZodType>(id: string, description: string, key: K, schema: S) {
  // A computed key types as any string; the cast keeps the field's own name in the answer's type.
  return named(id, description, z.object({ [key]: schema } as { [P in K]: S }));
}

/** An ISO-8601 UTC time, as every time in the API is written. */
export const IsoTime = z.string().meta({ format: 'date-time' });

export const ROLE_VALUES = ['nurse', 'charge_nurse', 'it_admin'] as const;
export const RoleSchema = named('Role', 'A staff role.', z.enum(ROLE_VALUES));
export type Role = z.infer<typeof RoleSchema>;

export const ApiErrorCodeSchema = named(
  'ApiErrorCode',
  'What went wrong, for programs; the message says it in words.',
  z.enum([
    'validation_failed',
    'unauthenticated',
    'invalid_credentials',
    'forbidden',
    'not_found',
    'conflict',
    'bed_has_active_stay',
    'bed_has_device',
    'ward_has_active_beds',
    'rate_limited',
    'too_many_attempts',
    'pairing_paused',
    'password_change_required',
    'cross_origin',
    'payload_too_large',
    'unsupported_media_type',
    'directory_unavailable',
    'bad_request',
    'internal',
  ]),
);
export type ApiErrorCode = z.infer<typeof ApiErrorCodeSchema>;

export const ApiErrorBodySchema = named(
  'ApiErrorBody',
  'Every error answer. `fields` maps each invalid field to its problem.',
  z.object({
    error: z.object({ code: ApiErrorCodeSchema, message: z.string(), fields: z.record(z.string(), z.string()).optional() }),
  }),
);
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

export const SourceStateSchema = named('SourceState', 'A sensor source as the device reports it.', z.enum(SOURCE_STATES));
export type SourceState = z.infer<typeof SourceStateSchema>;

export const DeviceStateSchema = named(
  'DeviceState',
  'Whether the bedside device is connected.',
  z.enum(['online', 'offline', 'never_seen']),
);
export type DeviceState = z.infer<typeof DeviceStateSchema>;

export const SourcesSchema = named(
  'Sources',
  'Each source of a device.',
  z.object({ camera: SourceStateSchema, wearable: SourceStateSchema }),
);
export type Sources = z.infer<typeof SourcesSchema>;

export const DriverSchema = named(
  'Driver',
  "What drove a distress score: a code with its numbers and the server's words for it (show `text`).",
  z.object({
    code: z.enum(DRIVER_CODE_LIST as [DriverCode, ...DriverCode[]]),
    value: z.number().optional(),
    unit: z.enum(Object.keys(DRIVER_UNIT_RANGES) as [DriverUnit, ...DriverUnit[]]).optional(),
    /** The patient's own baseline, same unit. */
    baseline: z.number().optional(),
    /** How long the sign has lasted, seconds. */
    durationS: z.number().optional(),
    text: z.string(),
  }),
);
export type Driver = z.infer<typeof DriverSchema>;

/** A bed's distress score for one window: the board's latest score, the timeline's and the live stream's carry these fields. */
export const WindowScoreSchema = z.object({
  windowEnd: IsoTime,
  distress: z.number(),
  confidence: z.number(),
  drivers: z.array(DriverSchema),
});
export type WindowScore = z.infer<typeof WindowScoreSchema>;
