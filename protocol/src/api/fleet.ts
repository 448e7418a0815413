/**
 * The device fleet for IT staff (docs/api.md "Devices"): each device's health as its last status
 * reported it, the flags the server derives (outdated, erroring, and the problems behind them), a
 * fleet summary with version drift, and a device's recent status history.
 */
import { z } from 'zod';
import { CONFIG_REFUSALS, DOCTOR_CHECKS } from '../schemas.ts';
import { DeviceStateSchema, IsoTime, named, SourcesSchema } from './common.ts';

export const FleetStateSchema = named(
  'FleetState',
  'Where a device stands: connected, silent, enrolled but never heard from, or taken out of service by IT.',
  z.enum(['online', 'offline', 'never_seen', 'decommissioned']),
);
export type FleetState = z.infer<typeof FleetStateSchema>;

export const DeviceModelSchema = named(
  'DeviceModel',
  'A model the agent has loaded: its version and the sha256 of its file (null: the agent does not report hashes).',
  z.object({ name: z.string(), version: z.string(), sha256: z.string().nullable() }),
);
export type DeviceModel = z.infer<typeof DeviceModelSchema>;

export const DoctorCheckNameSchema = z.enum(DOCTOR_CHECKS);
export type DoctorCheckName = z.infer<typeof DoctorCheckNameSchema>;
export const ConfigRefusalSchema = z.enum(CONFIG_REFUSALS);
export type ConfigRefusal = z.infer<typeof ConfigRefusalSchema>;

export const DoctorResultSchema = named(
  'DoctorResult',
  "The agent's last `attune-agent doctor` checklist. code: what was found (`model_hash_mismatch`, `no_frames`, ...), null when ok; the dashboard words it.",
  z.object({
    at: IsoTime,
    checks: z.array(
      z.object({ name: DoctorCheckNameSchema, result: z.enum(['ok', 'warn', 'fail', 'skipped']), code: z.string().nullable() }),
    ),
  }),
);
export type DoctorResult = z.infer<typeof DoctorResultSchema>;

export const ConfigResultSchema = named(
  'ConfigResult',
  'The last remote configuration the agent handled: applied, or refused with a reason code and the first offending field.',
  z.object({
    version: z.number(),
    state: z.enum(['applied', 'refused']),
    reason: ConfigRefusalSchema.nullable(),
    field: z.string().nullable(),
  }),
);
export type ConfigResult = z.infer<typeof ConfigResultSchema>;

/** What makes a device `erroring` (source_error, doctor_fail, config_refused, clock_off, outbox_growing) or `outdated` (agent_outdated, model_outdated). */
export const FLEET_PROBLEMS = [
  'source_error',
  'doctor_fail',
  'config_refused',
  'clock_off',
  'outbox_growing',
  'agent_outdated',
  'model_outdated',
] as const;
export const FleetProblemSchema = named(
  'FleetProblem',
  'One reason behind a flag. subject: the source (camera, wearable), doctor check or model it is about; null for the agent, clock or outbox.',
  z.object({ code: z.enum(FLEET_PROBLEMS), subject: z.string().nullable() }),
);
export type FleetProblem = z.infer<typeof FleetProblemSchema>;
export type FleetProblemCode = (typeof FLEET_PROBLEMS)[number];

/** The agent's own figures a status carries (null: not reported, as older agents do), on a device and in its history. */
const AgentHealthFields = {
  /** Device clock minus the server's, ms; null until measured. */
  clockOffsetMs: z.number().nullable(),
  /** Score windows waiting in the agent's outbox. */
  outboxBacklog: z.number().nullable(),
  /** The agent process's CPU use, percent of one core. */
  cpuPercent: z.number().nullable(),
  /** The agent process's resident memory, bytes. */
  memoryRssBytes: z.number().nullable(),
};

export const DeviceSchema = named(
  'Device',
  "An enrolled bedside device and its health as its last status reported it; never a patient's name or a score. Health fields are null until an agent reports them (older agents never do).",
  z.object({
    id: z.string(),
    isActive: z.boolean(),
    /** When IT took the device out of service; null while in service. */
    decommissionedAt: IsoTime.nullable(),
    wardId: z.string().nullable(),
    wardName: z.string().nullable(),
    bedId: z.string().nullable(),
    bedLabel: z.string().nullable(),
    state: FleetStateSchema,
    lastSeenAt: IsoTime.nullable(),
    lastScoreAt: IsoTime.nullable(),
    agentVersion: z.string().nullable(),
    models: z.array(DeviceModelSchema),
    sources: SourcesSchema.nullable(),
    ...AgentHealthFields,
    doctor: DoctorResultSchema.nullable(),
    config: ConfigResultSchema.nullable(),
    /**
     * The sensors the consent in force lets the agent use, and `version`: the number of the last consent
     * message the server sent this device (it counts up with every change; the agent obeys the highest).
     */
    consent: z.object({ camera: z.boolean(), wearable: z.boolean(), version: z.number() }),
    /** Agent or a model older than the newest version running in the fleet. */
    outdated: z.boolean(),
    /** A source in error, a failed doctor check, a refused configuration, the clock off by more than 10 s, or the outbox growing. */
    erroring: z.boolean(),
    problems: z.array(FleetProblemSchema),
  }),
);
export type Device = z.infer<typeof DeviceSchema>;

export const FleetSummarySchema = named(
  'FleetSummary',
  'The whole fleet (whatever the filter): devices per state, flagged devices, and which versions run on how many devices in service, newest first.',
  z.object({
    total: z.number(),
    states: z.object({ online: z.number(), offline: z.number(), never_seen: z.number(), decommissioned: z.number() }),
    erroring: z.number(),
    outdated: z.number(),
    agentVersions: z.array(z.object({ version: z.string(), devices: z.number() })),
    modelVersions: z.array(z.object({ name: z.string(), version: z.string(), devices: z.number() })),
  }),
);
export type FleetSummary = z.infer<typeof FleetSummarySchema>;

export const DeviceListSchema = named(
  'DeviceList',
  'GET /api/devices: the devices the filter asks for, by ward and bed, and the summary of the whole fleet.',
  z.object({ devices: z.array(DeviceSchema), summary: FleetSummarySchema }),
);
export type DeviceList = z.infer<typeof DeviceListSchema>;

const QueryFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** GET /api/devices: only devices in that state, on that ward, flagged outdated or erroring (true) or not (false). */
export const DeviceListQuerySchema = z.object({
  state: FleetStateSchema.optional(),
  wardId: z.uuid().optional(),
  outdated: QueryFlag.optional(),
  erroring: QueryFlag.optional(),
});
export type DeviceListQuery = z.input<typeof DeviceListQuerySchema>;

export const DeviceStatusRecordSchema = named(
  'DeviceStatusRecord',
  'One status message as the server received it. id: its place in the history (newer is larger); at: when the agent wrote it (its clock).',
  z.object({
    id: z.number(),
    receivedAt: IsoTime,
    at: IsoTime,
    state: DeviceStateSchema.exclude(['never_seen']),
    agentVersion: z.string(),
    models: z.record(z.string(), z.string()),
    sources: SourcesSchema,
    ...AgentHealthFields,
    config: ConfigResultSchema.nullable(),
    doctor: DoctorResultSchema.nullable(),
  }),
);
export type DeviceStatusRecord = z.infer<typeof DeviceStatusRecordSchema>;

export const DeviceDetailSchema = named(
  'DeviceDetail',
  'GET /api/devices/{deviceId}: the device and its status history, newest first. nextBefore: pass as `before` for the page of older statuses; null on the last page.',
  z.object({ device: DeviceSchema, history: z.array(DeviceStatusRecordSchema), nextBefore: z.number().nullable() }),
);
export type DeviceDetail = z.infer<typeof DeviceDetailSchema>;

/** GET /api/devices/{deviceId}: `limit` statuses (default 50) received before the status `before` (default: the newest). */
export const DeviceHistoryQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});
export type DeviceHistoryQuery = z.input<typeof DeviceHistoryQuerySchema>;

/**
 * Orders agent and model versions (`0.4.1`, `1.2.0-rc.1`, `1.2.0+build.7`): dot-separated parts
 * compared numerically where both are numbers, a pre-release before its release, build metadata
 * ignored (semver.org §11). Negative when `a` is older.
 */
export function compareVersions(a: string, b: string): number {
  const [coreA = '', preA] = splitVersion(a);
  const [coreB = '', preB] = splitVersion(b);
  const byCore = compareParts(coreA, coreB);
  if (byCore !== 0) return byCore;
  if (preA === undefined || preB === undefined) return preA === preB ? 0 : preA === undefined ? 1 : -1;
  return compareParts(preA, preB);
}

function splitVersion(v: string): [string, string | undefined] {
  const noBuild = v.split('+')[0]!;
  const dash = noBuild.indexOf('-');
  return dash < 0 ? [noBuild, undefined] : [noBuild.slice(0, dash), noBuild.slice(dash + 1)];
}

function compareParts(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    const diff =
      !Number.isNaN(nx) && !Number.isNaN(ny)
        ? nx - ny
        : Number.isNaN(nx) !== Number.isNaN(ny)
          ? Number.isNaN(nx)
            ? 1
            : -1
          : x.localeCompare(y);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}
