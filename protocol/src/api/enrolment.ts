/**
 * Enrolling a bedside agent with a single-use token, and revoking or rotating a device's broker
 * credential (docs/api.md "Enrolling agents", docs/enrolment.md).
 */
import { z } from 'zod';
import { DeviceIdSchema } from '../schemas.ts';
import { DeviceStateSchema, IsoTime, named } from './common.ts';

/** The token as typed: four groups of four from an alphabet without look-alikes (80 bits). */
export const ENROLMENT_TOKEN_PATTERN = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

export const CreateEnrolmentTokenBodySchema = named(
  'CreateEnrolmentTokenBody',
  'POST /api/beds/{bedId}/enrolment-tokens: deviceId re-enrols that device of the bed (a replaced machine); absent: a new device.',
  z.strictObject({ deviceId: DeviceIdSchema.optional() }),
);
export type CreateEnrolmentTokenBody = z.infer<typeof CreateEnrolmentTokenBodySchema>;

export const EnrolmentTokenSummarySchema = named(
  'EnrolmentTokenSummary',
  'An open enrolment token (not used, not revoked, not expired), without the token itself: it is shown once, when created.',
  z.object({
    id: z.string(),
    bedId: z.string(),
    /** The device it re-enrols; null: it enrols a new device. */
    deviceId: z.string().nullable(),
    createdAt: IsoTime,
    expiresAt: IsoTime,
    createdBy: z.string().nullable(),
  }),
);
export type EnrolmentTokenSummary = z.infer<typeof EnrolmentTokenSummarySchema>;

export const IssuedEnrolmentTokenSchema = named(
  'IssuedEnrolmentToken',
  'A new enrolment token, shown once: the text to type, a QR code of it (SVG) and the command to run on the bedside machine.',
  z.object({
    token: z.string(),
    qrSvg: z.string(),
    /** `attune-agent enroll --server <origin> --token <token>` */
    command: z.string(),
    summary: EnrolmentTokenSummarySchema,
  }),
);
export type IssuedEnrolmentToken = z.infer<typeof IssuedEnrolmentTokenSchema>;

export const EnrolmentBedDeviceSchema = named(
  'EnrolmentBedDevice',
  'A device enrolled on the bed (decommissioned ones are not listed).',
  z.object({ id: z.string(), state: DeviceStateSchema, lastSeenAt: IsoTime.nullable(), credentialIssuedAt: IsoTime.nullable() }),
);

export const BedEnrolmentSchema = named(
  'BedEnrolment',
  'GET /api/beds/{bedId}/enrolment-tokens: the bed, its devices and its open tokens.',
  z.object({
    bed: z.object({ id: z.string(), label: z.string(), wardId: z.string(), wardName: z.string() }),
    devices: z.array(EnrolmentBedDeviceSchema),
    tokens: z.array(EnrolmentTokenSummarySchema),
  }),
);
export type BedEnrolment = z.infer<typeof BedEnrolmentSchema>;

export const EnrolBodySchema = named(
  'EnrolBody',
  "POST /api/enrol (no session): the token as typed (case and spaces do not matter) and, for the audit log, the machine's host name.",
  z.strictObject({
    token: z.string().min(1).max(64),
    hostname: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/, 'a host name: letters, digits, dots and hyphens')
      .optional(),
  }),
);
export type EnrolBody = z.infer<typeof EnrolBodySchema>;

export const DeviceIdentitySchema = named(
  'DeviceIdentity',
  'POST /api/enrol: what the agent needs to connect, shown once. The password is stored on the server as a scrypt hash only.',
  z.object({
    deviceId: z.string(),
    mqtt: z.object({
      url: z.string(),
      username: z.string(),
      password: z.string(),
      /** PEM of the CA to trust for an mqtts:// url; null: the system's CAs (or plain MQTT). */
      caPem: z.string().nullable(),
    }),
    serverUrl: z.string(),
    bedLabel: z.string(),
    wardName: z.string(),
    /** true: an existing device was re-enrolled (its history stays); false: a new device. */
    reEnrolled: z.boolean(),
  }),
);
export type DeviceIdentity = z.infer<typeof DeviceIdentitySchema>;

export const DeviceCredentialsSchema = named(
  'DeviceCredentials',
  "GET /api/devices/{deviceId}/credentials: the device's bed, whether it may connect, when its secret was issued, and its open re-enrolment tokens.",
  z.object({
    deviceId: z.string(),
    bedId: z.string().nullable(),
    bedLabel: z.string().nullable(),
    wardName: z.string().nullable(),
    isActive: z.boolean(),
    state: DeviceStateSchema,
    enrolledAt: IsoTime,
    credentialIssuedAt: IsoTime.nullable(),
    decommissionedAt: IsoTime.nullable(),
    tokens: z.array(EnrolmentTokenSummarySchema),
  }),
);
export type DeviceCredentials = z.infer<typeof DeviceCredentialsSchema>;
