/**
 * Agent configuration: one JSON file, validated once with zod at start. A bad value fails fast
 * with the path of the offending field (e.g. `mqtt.url: Invalid URL`).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { DeviceIdSchema } from '@attune/protocol';

export const DistressEpisodeSchema = z.strictObject({
  /** Seconds after the simulator starts. */
  startS: z.number().min(0),
  durationS: z.number().positive(),
  /** 0..1; 1 = about +25 bpm, RMSSD halved, SCRs several times more frequent. */
  intensity: z.number().min(0).max(1),
});

export const WearableSourceConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('e4-replay'),
    /** Folder with Empatica E4 CSVs (HR.csv, IBI.csv, EDA.csv, TEMP.csv, ACC.csv). */
    dir: z.string().min(1),
    /** Start again from the beginning when the recording ends. */
    loop: z.boolean().default(true),
  }),
  z.strictObject({
    kind: z.literal('simulator'),
    seed: z.int().min(0).default(1),
    episodes: z.array(DistressEpisodeSchema).default([]),
  }),
  z.strictObject({
    kind: z.literal('ble-hrm'),
    /** Sensor address or advertised name; absent = the first heart-rate sensor seen. Needs the optional package @abandonware/noble. */
    device: z.string().min(1).optional(),
  }),
  z.strictObject({ kind: z.literal('none') }),
]);

/** A rectangle in normalised image coordinates (0..1, origin top-left): where the patient's head lies. */
export const BedRegionSchema = z
  .strictObject({ x: z.number().min(0).max(1), y: z.number().min(0).max(1), w: z.number().gt(0).max(1), h: z.number().gt(0).max(1) })
  .refine((r) => r.x + r.w <= 1.0001 && r.y + r.h <= 1.0001, { message: 'bedRegion must lie inside the image' });

/** Settings shared by every camera kind: frame rate, size the frames are scaled (and letterboxed) to, bed region. */
const cameraCommon = {
  /** Frames per second handed to the face pipeline. */
  fps: z.number().gt(0).max(30).default(2),
  width: z.int().min(64).max(3840).default(640),
  height: z.int().min(64).max(2160).default(480),
  /** Faces whose centre is outside this region (visitors, staff) are never analysed; absent = the largest face. */
  bedRegion: BedRegionSchema.optional(),
  /** Neutral-face baseline: this many calm frontal frames (default 60 = 30 s at 2 fps) before PSPI is reported. */
  baselineFrames: z.int().min(1).max(10_000).default(60),
  /** onnxruntime intra-op threads for the face models. */
  inferenceThreads: z.int().min(1).max(16).default(1),
  /** The ffmpeg to run; absent = `ffmpeg` on the PATH, else the one bundled with the agent (@ffmpeg-installer/ffmpeg). */
  ffmpegPath: z.string().min(1).optional(),
};

export const CameraSourceConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({
    kind: z.literal('ffmpeg'),
    /** A V4L2 device (/dev/video0), an RTSP URL or a video file. */
    input: z.string().min(1),
    /** Inferred from `input` when absent: /dev/* = v4l2, rtsp(s):// = rtsp, else file. */
    format: z.enum(['v4l2', 'rtsp', 'file']).optional(),
    /** Files only: start again at the end. */
    loop: z.boolean().default(true),
    ...cameraCommon,
  }),
  z.strictObject({
    kind: z.literal('image-folder'),
    /** Folder of still images (png, jpg, bmp, ppm), shown in name order and cycled. */
    dir: z.string().min(1),
    ...cameraCommon,
  }),
]);

/** URL schemes of MQTT over TLS (mqtt.js): the broker's certificate is verified against the system's CAs or `caFile`. */
const TLS_SCHEMES = ['mqtts:', 'ssl:', 'wss:'];

export const AgentConfigSchema = z.strictObject({
  deviceId: DeviceIdSchema,
  mqtt: z
    .strictObject({
      url: z.url({ protocol: /^(mqtt|mqtts|tcp|ssl|ws|wss)$/ }),
      username: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      /**
       * A file holding the password (`attune-agent enroll` writes it, mode 0600), read at start, so
       * the config itself can be shown and copied without the secret. Not together with `password` in the file.
       */
      passwordFile: z.string().min(1).optional(),
      /** Wait between reconnect attempts. */
      reconnectMs: z.int().min(100).max(600_000).default(2000),
      /**
       * TLS URLs only: PEM file of the CA (or the broker's self-signed certificate) to trust instead
       * of the system's CAs. The broker's certificate and host name are always verified.
       */
      caFile: z.string().min(1).optional(),
    })
    .refine((m) => m.caFile === undefined || !URL.canParse(m.url) || TLS_SCHEMES.includes(new URL(m.url).protocol), {
      message: 'caFile is only used with an mqtts://, ssl:// or wss:// url',
      path: ['caFile'],
    }),
  /** Folder for the outbox and the persisted sequence number (nothing else is written). */
  dataDir: z.string().min(1),
  windowMs: z.int().min(100).max(60_000).default(5000),
  /** Valid windows used to learn the patient's own baseline (24 x 5 s = 2 min). */
  baselineWindows: z.int().min(1).max(10_000).default(24),
  /** Bound on the on-disk outbox; above it the oldest windows are dropped with a counted warning. */
  maxOutboxMessages: z.int().min(1).default(100_000),
  /** The Attune server's HTTP address; only `doctor` uses it, to report the clock offset. */
  serverUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Optional override of the models manifest (defaults to the @attune/models one). */
  modelsManifest: z.string().min(1).optional(),
  wearable: WearableSourceConfigSchema.default({ kind: 'none' }),
  camera: CameraSourceConfigSchema.default({ kind: 'none' }),
});

export type AgentConfig = z.infer<typeof AgentConfigSchema>;
/** What a caller may pass: defaults not yet applied. */
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
export type WearableSourceConfig = AgentConfig['wearable'];
export type CameraSourceConfig = AgentConfig['camera'];
export type BedRegion = z.infer<typeof BedRegionSchema>;
export type DistressEpisode = z.infer<typeof DistressEpisodeSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates a config object; the error message names every bad field. */
export function parseConfig(input: unknown, origin = 'config'): AgentConfig {
  const result = AgentConfigSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid ${origin}:\n${lines.join('\n')}`);
  }
  return result.data;
}

/**
 * Reads a JSON config file. Relative `dataDir`, `wearable.dir` and `modelsManifest` are resolved
 * against the file's folder so a config can travel with its recordings.
 */
export function loadConfigFile(path: string): AgentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as Error).message}`);
  }
  const config = parseConfig(raw, `config ${path}`);
  const base = dirname(resolve(path));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  config.dataDir = abs(config.dataDir);
  if (config.mqtt.caFile) config.mqtt.caFile = abs(config.mqtt.caFile);
  if (config.mqtt.passwordFile) {
    if (config.mqtt.password) throw new ConfigError(`invalid config ${path}:\n  mqtt.passwordFile: set password or passwordFile, not both`);
    config.mqtt.passwordFile = abs(config.mqtt.passwordFile);
    config.mqtt.password = readPasswordFile(config.mqtt.passwordFile);
  }
  if (config.modelsManifest) config.modelsManifest = abs(config.modelsManifest);
  if (config.wearable.kind === 'e4-replay') config.wearable.dir = abs(config.wearable.dir);
  if (config.camera.kind === 'image-folder') config.camera.dir = abs(config.camera.dir);
  if (config.camera.kind === 'ffmpeg' && cameraFormat(config.camera) === 'file') config.camera.input = abs(config.camera.input);
  return config;
}

function readPasswordFile(path: string): string {
  let password: string;
  try {
    password = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`mqtt.passwordFile: cannot read ${path}: ${(err as Error).message}`);
  }
  if (!password) throw new ConfigError(`mqtt.passwordFile: ${path} is empty`);
  return password;
}

/** The ffmpeg input format, from the config or inferred from the input string. */
export function cameraFormat(camera: { input: string; format?: 'v4l2' | 'rtsp' | 'file' }): 'v4l2' | 'rtsp' | 'file' {
  if (camera.format) return camera.format;
  if (camera.input.startsWith('/dev/')) return 'v4l2';
  if (/^rtsps?:\/\//i.test(camera.input)) return 'rtsp';
  return 'file';
}

/** The CA to trust for the broker's TLS certificate (`mqtt.caFile`), read once; absent: the system's CAs. */
export function readMqttCa(mqtt: AgentConfig['mqtt']): Buffer | undefined {
  if (!mqtt.caFile) return undefined;
  let pem: Buffer;
  try {
    pem = readFileSync(mqtt.caFile);
  } catch (err) {
    throw new ConfigError(`mqtt.caFile: cannot read ${mqtt.caFile}: ${(err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`mqtt.caFile: ${mqtt.caFile} holds no PEM certificate`);
  return pem;
}
