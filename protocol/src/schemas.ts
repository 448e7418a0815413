/**
 * zod schemas of every MQTT message in protocol v2. They are deliberately strict: unknown keys,
 * non-finite numbers and out-of-range values are rejected, and there is no free text at all:
 * every string is an identifier, a timestamp or a version matched by a narrow pattern, and what a
 * nurse reads is rendered by the server from codes (drivers.ts). No field can carry an image,
 * audio, a raw waveform or an embedding. See MQTT.md for examples.
 */
import { z } from 'zod';
import { DriverSchema, PainadFaceBasisSchema } from './drivers.ts';
import { unsafeTextReason } from './text-safety.ts';
import { DEVICE_ID_PATTERN } from './topics.ts';

export const PROTOCOL_VERSION = 2 as const;
/** Hard ceiling on any payload, checked on raw bytes before JSON parsing. */
export const MAX_PAYLOAD_BYTES = 4096;

/**
 * A bounded string that refuses control characters, lone surrogates and non-characters with a
 * readable reason before any pattern is tried (text-safety.ts), then must match `pattern`.
 */
export function patternString(maxChars: number, pattern: RegExp, message: string) {
  return z
    .string()
    .max(maxChars)
    .superRefine((s, ctx) => {
      const unsafe = unsafeTextReason(s);
      if (unsafe) ctx.addIssue({ code: 'custom', message: unsafe, continue: false });
    })
    .regex(pattern, message);
}

const unit = z.number().min(0).max(1);
/** ISO-8601 UTC timestamp with milliseconds optional, e.g. 2026-11-25T10:00:05.000Z. */
const isoUtc = z.iso.datetime({ offset: false });

export const DeviceIdSchema = patternString(48, DEVICE_ID_PATTERN, 'device id must be a lowercase slug of at most 48 characters');

/** Observations the agent could not make in a window; the server shows them in explanations. */
export const UNOBSERVED = ['face', 'expression', 'pain_face', 'heart_rate', 'hrv', 'eda', 'temperature', 'activity', 'baseline'] as const;

/**
 * Why the face was not observed (or observed without usable evidence) in a window. A closed code
 * set: the server words it ("camera not consented", "no camera attached", "face not found", ...).
 */
export const FACE_UNOBSERVED_REASONS = [
  /** the camera is not consented */
  'no_consent',
  /** no camera is attached to this bedside device */
  'not_configured',
  /** the camera failed (disconnected, ffmpeg exited) */
  'source_error',
  /** the camera is open but delivered no frames in the window (starting, or stalled) */
  'no_frames',
  /** frames arrived but the patient's face was not found in them (or in too few of them) */
  'face_not_found',
  /** the face was too dark or over-exposed to read */
  'poor_light',
  /** the face was turned away from the camera */
  'turned_away',
  /** the face moved too much to read */
  'moving',
  /** the face was seen, but the patient's own neutral face is still being learned: nothing is compared yet */
  'learning_baseline',
] as const;

/** Why the wearable was not observed in a window (closed code set, worded by the server). */
export const WEARABLE_UNOBSERVED_REASONS = [
  /** the wearable is not consented */
  'no_consent',
  /** no wearable is attached to this bedside device */
  'not_configured',
  /** the wearable source failed (disconnected, sensor error) */
  'source_error',
  /** the wearable is open but sent no samples in the window */
  'no_data',
  /** samples arrived but say the sensor is off the wrist */
  'off_wrist',
] as const;

export const FusedSchema = z.strictObject({
  /** Fused distress, 0 calm .. 1 severe distress. */
  distress: unit,
  /** Confidence in `distress`, 0..1; falls when a modality is absent or of poor quality. */
  confidence: unit,
  /** The main contributions as codes with numbers, largest first (at most 6); the server renders the words. */
  drivers: z.array(DriverSchema).max(6),
});

export const FaceBlockSchema = z.strictObject({
  /** Frames analysed in the window (2 fps x 5 s = 10 by default). */
  framesAnalysed: z.int().min(0).max(600),
  /** Fraction of analysed frames in which the patient's face was found, 0..1. */
  faceVisibleFraction: unit,
  /**
   * Mean probability of negative expressions (sad, angry, fearful, disgusted), 0..1: the classifier's
   * absolute output, which reads many resting faces as sad. Context only: never evidence of distress by itself.
   */
  negativeAffect: unit,
  /**
   * How far negative affect rose above the patient's own vetted neutral face, 0..1 (a face less
   * negative than its neutral gives 0); null before that baseline exists. This is what counts.
   * Optional for agents older than this field.
   */
  negativeAffectAboveBaseline: unit.nullable().optional(),
  /** Mean expression probabilities over frames with a face (FER2013 classes), each 0..1. */
  expression: z.strictObject({
    neutral: unit,
    happy: unit,
    sad: unit,
    angry: unit,
    fearful: unit,
    disgusted: unit,
    surprised: unit,
  }),
  /** PSPI-like pain intensity (Prkachin-Solomon), 0..16, relative to the patient's neutral baseline; null before a baseline exists. */
  pspi: z.number().min(0).max(16).nullable(),
  /** PAINAD facial-expression item: 0 relaxed, 1 sad/frightened/frown, 2 grimacing; null when not observable. */
  painadFace: z.union([z.literal(0), z.literal(1), z.literal(2)]).nullable(),
  /** Why that PAINAD item was chosen, as a code with the numbers behind it. */
  painadFaceBasis: PainadFaceBasisSchema,
  /** Action-unit intensities on the FACS 0..5 scale (AU43 eye closure 0..1), relative to the patient's neutral baseline; null before that baseline exists (not zero: unmeasured is not "no sign"). */
  actionUnits: z
    .strictObject({
      au4BrowLowering: z.number().min(0).max(5),
      au6au7OrbitalTightening: z.number().min(0).max(5),
      au9au10NoseWrinkleLipRaise: z.number().min(0).max(5),
      au43EyeClosure: unit,
      au20au25au27MouthStretchOpen: z.number().min(0).max(5),
    })
    .nullable(),
});

export const WearableBlockSchema = z.strictObject({
  /** Mean heart rate in the window, beats per minute (20..250); null without valid samples. */
  hrBpm: z.number().min(20).max(250).nullable(),
  /** The patient's own resting heart-rate baseline, bpm; null until learned. */
  hrBaselineBpm: z.number().min(20).max(250).nullable(),
  /** SDNN of artifact-filtered inter-beat intervals, milliseconds (0..1000). */
  sdnnMs: z.number().min(0).max(1000).nullable(),
  /** RMSSD of artifact-filtered inter-beat intervals, milliseconds (0..1000). */
  rmssdMs: z.number().min(0).max(1000).nullable(),
  /** Skin conductance level (tonic EDA), microsiemens (0..100). */
  sclUs: z.number().min(0).max(100).nullable(),
  /** Skin conductance responses per minute (0..60). */
  scrPerMin: z.number().min(0).max(60).nullable(),
  /** Skin temperature, degrees Celsius (20..45). */
  tempC: z.number().min(20).max(45).nullable(),
  /** Movement: mean absolute deviation of acceleration magnitude from 1 g, in g (0..16). */
  activityG: z.number().min(0).max(16).nullable(),
  /** Wearable distress model output, 0..1; null when features were insufficient. */
  distress: unit.nullable(),
  /** True once the patient's own baseline has been learned; before that features are population-normalised. */
  baselineReady: z.boolean(),
  /** False when temperature/EDA/contact say the sensor is off the wrist. */
  onWrist: z.boolean(),
});

export const QualitySchema = z.strictObject({
  /** Fraction of the window covered by valid wearable samples, 0..1; null when the wearable is not consented. */
  wearableCoverage: unit.nullable(),
  /** Fraction of frames with the patient's face, 0..1; null when the camera is not consented. */
  faceCoverage: unit.nullable(),
  /** What could not be observed in this window. */
  unobserved: z.array(z.enum(UNOBSERVED)).max(UNOBSERVED.length),
  /**
   * Why a modality was not observed, when it was not (one code per modality); absent for a modality
   * that was observed. Optional for agents older than this field.
   */
  unobservedReasons: z
    .strictObject({
      face: z.enum(FACE_UNOBSERVED_REASONS).optional(),
      wearable: z.enum(WEARABLE_UNOBSERVED_REASONS).optional(),
    })
    .optional(),
});

const MODEL_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const VERSION = /^[0-9A-Za-z.+-]{1,24}$/;
const ModelVersionsSchema = z
  .record(
    patternString(32, MODEL_NAME, 'model name must be a lowercase slug'),
    patternString(24, VERSION, 'version must be 1-24 of [0-9A-Za-z.+-]'),
  )
  .refine((m) => Object.keys(m).length <= 8, { message: 'at most 8 models' });

export const ScoreWindowSchema = z
  .strictObject({
    v: z.literal(PROTOCOL_VERSION),
    deviceId: DeviceIdSchema,
    /** Per-device monotonic sequence number, persisted by the agent across restarts. */
    seq: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    windowStart: isoUtc,
    windowEnd: isoUtc,
    /** Version of the consent message the agent obeyed while measuring this window. */
    consentVersion: z.int().min(0),
    fused: FusedSchema,
    face: FaceBlockSchema.optional(),
    wearable: WearableBlockSchema.optional(),
    quality: QualitySchema,
    models: ModelVersionsSchema,
  })
  .refine((w) => Date.parse(w.windowEnd) > Date.parse(w.windowStart), {
    message: 'windowEnd must be after windowStart',
    path: ['windowEnd'],
  })
  .refine((w) => Date.parse(w.windowEnd) - Date.parse(w.windowStart) <= 60_000, {
    message: 'a window spans at most 60 s',
    path: ['windowEnd'],
  });

/**
 * What a source is doing. `no_signal`: open but nothing usable comes from it (the wristband is off
 * the wrist or sends no samples); `error`: it failed (camera gone, sensor disconnected). Either,
 * for a consented source, for 60 s raises a "signal lost" technical alert on the server.
 */
export const SOURCE_STATES = ['streaming', 'stopped', 'no_consent', 'no_signal', 'error', 'not_configured'] as const;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Why an agent refused a remote configuration: a closed set the server words for IT staff. */
export const CONFIG_REFUSALS = [
  /** the message failed validation (the agent's copy of this schema) */
  'invalid',
  /** it names another device */
  'wrong_device',
  /** a model the agent runs is not in modelVersionsAllowed */
  'model_not_allowed',
  /** camera.device does not exist on this machine, or the camera is not an ffmpeg camera */
  'camera_unavailable',
  /** a source is enabled that this machine has no local configuration for */
  'source_not_configured',
  /** applying it failed (the source could not be restarted) */
  'apply_failed',
] as const;

export const RemoteConfigResultSchema = z.strictObject({
  /** The configuration's version; 0 when the message was too broken to read one. */
  version: z.int().min(0),
  state: z.enum(['applied', 'refused']),
  /** Why it was refused; null when applied. */
  reason: z.enum(CONFIG_REFUSALS).nullable(),
  /** The first offending field (e.g. `camera.device`), when there is one. */
  field: patternString(64, /^[A-Za-z0-9.]{1,64}$/, 'field must be a dotted path').nullable(),
});

/** Checks of `attune-agent doctor`, each one code; the server words them for IT staff. */
export const DOCTOR_CHECKS = ['config', 'models', 'data_dir', 'ffmpeg', 'camera', 'wearable', 'broker', 'clock'] as const;

export const DoctorReportSchema = z.strictObject({
  at: isoUtc,
  checks: z
    .array(
      z.strictObject({
        name: z.enum(DOCTOR_CHECKS),
        result: z.enum(['ok', 'warn', 'fail', 'skipped']),
        /** A lowercase code for what was found (`model_hash_mismatch`, `no_frames`, ...); null when ok. */
        code: patternString(48, /^[a-z0-9_]{1,48}$/, 'code must be a lowercase snake_case word').nullable(),
      }),
    )
    .max(DOCTOR_CHECKS.length),
});

/** The largest clock offset a status can report, ms (about 30 years: any real clock error fits). */
export const MAX_CLOCK_OFFSET_MS = 1e12;

export const DeviceStatusSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  deviceId: DeviceIdSchema,
  state: z.enum(['online', 'offline']),
  /** When the agent wrote this status (for the Last Will: when it connected). */
  at: isoUtc,
  agentVersion: patternString(24, VERSION, 'agent version must be 1-24 of [0-9A-Za-z.+-]'),
  models: ModelVersionsSchema,
  sources: z.strictObject({
    camera: z.enum(SOURCE_STATES),
    wearable: z.enum(SOURCE_STATES),
  }),
  /**
   * The agent's clock minus the server's, ms, measured from the server's time messages
   * (`attune/v2/server/time`); null until one arrived. Positive: the agent's clock is ahead.
   */
  clockOffsetMs: z.int().min(-MAX_CLOCK_OFFSET_MS).max(MAX_CLOCK_OFFSET_MS).nullable(),
  // Fleet health (optional: agents older than these fields still report): the Devices page reads them.
  /** Windows waiting in the agent's durable outbox (not yet acknowledged by the broker). */
  outboxBacklog: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /** The agent process's CPU use since the previous status, percent of one core (two busy cores = 200). */
  cpuPercent: z.number().min(0).max(6400).optional(),
  /** The agent process's resident memory, bytes. */
  memoryRssBytes: z
    .int()
    .min(0)
    .max(2 ** 44)
    .optional(),
  /** sha256 (hex) of each loaded model file, by model name, as the models manifest pins them. */
  modelSha256: z
    .record(
      patternString(32, MODEL_NAME, 'model name must be a lowercase slug'),
      patternString(64, SHA256_HEX, 'sha256 must be 64 lowercase hex digits'),
    )
    .refine((m) => Object.keys(m).length <= 8, { message: 'at most 8 models' })
    .optional(),
  /** The last remote configuration (topic `config`) the agent handled, and whether it applied it. */
  config: RemoteConfigResultSchema.optional(),
  /** The last `attune-agent doctor` checklist run on this machine (the agent runs it at start). */
  doctor: DoctorReportSchema.optional(),
});

/**
 * The server's configuration for one device, retained on the device's `config` topic (QoS 1). The
 * agent validates it and applies it without a restart, or refuses it and says why in its status
 * (`config`). Consent still decides what runs: `sources` only says which of the sources the agent
 * has configured locally it may run at all. What is not here (broker, credentials, data folder,
 * wearable and camera kinds) stays in the agent's local file.
 */
export const DeviceConfigSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  deviceId: DeviceIdSchema,
  /** Monotonic per device; the agent ignores a configuration older than the one it holds. */
  version: z.int().min(1),
  issuedAt: isoUtc,
  /** Length of one score window, ms. */
  windowMs: z.int().min(1000).max(60_000),
  /** Which locally configured sources may run (consent still gates each). */
  sources: z.strictObject({ camera: z.boolean(), wearable: z.boolean() }),
  camera: z.strictObject({
    /** A V4L2 device to read instead of the local file's input; null keeps the local input. Only /dev/videoN: no URL or file path can be pushed. */
    device: patternString(16, /^\/dev\/video[0-9]{1,2}$/, 'camera device must be /dev/video0 to /dev/video99').nullable(),
    /** Frames per second handed to the face pipeline. */
    fps: z.number().gt(0).max(30),
  }),
  /**
   * Model versions the agent may run, by model name; a model not listed may run any version. An
   * agent whose loaded model is not allowed refuses the configuration (`model_not_allowed`).
   */
  modelVersionsAllowed: z
    .record(
      patternString(32, MODEL_NAME, 'model name must be a lowercase slug'),
      z
        .array(patternString(24, VERSION, 'version must be 1-24 of [0-9A-Za-z.+-]'))
        .min(1)
        .max(8),
    )
    .refine((m) => Object.keys(m).length <= 8, { message: 'at most 8 models' }),
});

export const ConsentMessageSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  deviceId: DeviceIdSchema,
  /** Monotonic per device; the agent ignores a message older than the one it holds. */
  version: z.int().min(0),
  /** Opaque id of the patient's stay, or null when the bed has no active stay (everything off). */
  stay: patternString(64, /^[A-Za-z0-9-]{1,64}$/, 'stay must be 1-64 of [A-Za-z0-9-]').nullable(),
  modalities: z.strictObject({ camera: z.boolean(), wearable: z.boolean() }),
  issuedAt: isoUtc,
});

/** The server's clock, published every SERVER_TIME_EVERY_MS so agents can measure their offset. */
export const ServerTimeSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  /** The server's clock when it published this message. */
  serverTime: isoUtc,
});

export type ScoreWindow = z.infer<typeof ScoreWindowSchema>;
export type FaceBlock = z.infer<typeof FaceBlockSchema>;
export type WearableBlock = z.infer<typeof WearableBlockSchema>;
export type Quality = z.infer<typeof QualitySchema>;
export type Unobserved = (typeof UNOBSERVED)[number];
export type FaceUnobservedReason = (typeof FACE_UNOBSERVED_REASONS)[number];
export type WearableUnobservedReason = (typeof WEARABLE_UNOBSERVED_REASONS)[number];
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;
export type SourceState = (typeof SOURCE_STATES)[number];
export type ConsentMessage = z.infer<typeof ConsentMessageSchema>;
export type ServerTime = z.infer<typeof ServerTimeSchema>;
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;
export type RemoteConfigResult = z.infer<typeof RemoteConfigResultSchema>;
export type ConfigRefusal = (typeof CONFIG_REFUSALS)[number];
export type DoctorReport = z.infer<typeof DoctorReportSchema>;
export type DoctorCheckName = (typeof DOCTOR_CHECKS)[number];
