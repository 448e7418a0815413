/** Setting up wards and beds, for IT staff (docs/api.md "Ward and bed setup"). */
import { z } from 'zod';
import { unsafeTextReason } from '../text-safety.ts';
import { answerOf, DeviceStateSchema, IsoTime, named } from './common.ts';

/** Longest ward name or bed label, characters: a board tile and a navigation link must still show it. */
export const SETUP_NAME_MAX_CHARS = 60;

/**
 * A ward name or bed label: trimmed, 1 to 60 characters, on one line, and free of control
 * characters, lone surrogates and non-characters (text-safety.ts), with the reason in words.
 */
const SetupName = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter the ${what}`)
    .max(SETUP_NAME_MAX_CHARS, `The ${what} has at most ${SETUP_NAME_MAX_CHARS} characters`)
    .superRefine((s, ctx) => {
      const unsafe = unsafeTextReason(s);
      if (unsafe) ctx.addIssue({ code: 'custom', message: `The ${what} ${unsafe}` });
    });

export const WardNameBodySchema = named(
  'WardNameBody',
  'POST /api/wards and PATCH /api/wards/{wardId}: the ward name, unique among every ward ever made (a retired ward keeps its name).',
  z.object({ name: SetupName('ward name') }).strict(),
);
export type WardNameBody = z.infer<typeof WardNameBodySchema>;

export const BedLabelBodySchema = named(
  'BedLabelBody',
  'POST /api/wards/{wardId}/beds and PATCH /api/beds/{bedId}: what nurses call the bed, unique among the active beds of its ward.',
  z.object({ label: SetupName('bed label') }).strict(),
);
export type BedLabelBody = z.infer<typeof BedLabelBodySchema>;

export const BedOrderBodySchema = named(
  'BedOrderBody',
  'PUT /api/wards/{wardId}/bed-order: every active bed of the ward, once each, in the order the board shows them.',
  z.object({ bedIds: z.array(z.uuid()).min(1).max(500) }).strict(),
);
export type BedOrderBody = z.infer<typeof BedOrderBodySchema>;

export const SetupBedSchema = named(
  'SetupBed',
  'A bed as IT sets it up: never a patient. device: the active device enrolled on the bed, null without one. retiredAt: null while in use.',
  z.object({
    id: z.string(),
    /** e.g. "Bed 3" */
    label: z.string(),
    /** Order on the ward board, 1 first. */
    position: z.number(),
    retiredAt: IsoTime.nullable(),
    device: z.object({ id: z.string(), state: DeviceStateSchema }).nullable(),
  }),
);
export type SetupBed = z.infer<typeof SetupBedSchema>;

export const SetupWardSchema = named(
  'SetupWard',
  'A ward with all its beds (active ones first, in board order; then retired ones). retiredAt: null while in use.',
  z.object({ id: z.string(), name: z.string(), retiredAt: IsoTime.nullable(), beds: z.array(SetupBedSchema) }),
);
export type SetupWard = z.infer<typeof SetupWardSchema>;

export const SetupWardListSchema = answerOf(
  'SetupWardList',
  'GET /api/wards/setup: every ward, active ones first by name, then retired ones.',
  'wards',
  z.array(SetupWardSchema),
);
export type SetupWardList = z.infer<typeof SetupWardListSchema>;

export const SetupWardAnswerSchema = answerOf(
  'SetupWardAnswer',
  'The ward after any setup change (created, renamed, retired, bed added, renamed, reordered or retired).',
  'ward',
  SetupWardSchema,
);
export type SetupWardAnswer = z.infer<typeof SetupWardAnswerSchema>;
