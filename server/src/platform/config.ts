/** Environment, validated once at start; a bad value fails fast naming the variable. */
import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_ESCALATE_AFTER_S, type EscalateAfterS } from '../domain/alert-escalation.ts';
import { ROLES } from '../domain/users.ts';

const booleanFromEnv = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * A JSON object of directory group -> value (OIDC_ROLE_MAP, OIDC_WARD_MAP), parsed at start; a map
 * that is not an object of strings (or names a role Attune does not have) stops the server.
 */
function groupMapFromEnv<V extends string>(allowed?: readonly V[]) {
  return z
    .string()
    .default('{}')
    .transform((text, ctx): Record<string, V> => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"ward7b-nurses":"nurse"}' });
        return z.NEVER;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of directory group -> value' });
        return z.NEVER;
      }
      // A null-prototype copy: a group named "__proto__" or "constructor" is an ordinary key.
      const map: Record<string, V> = Object.create(null);
      for (const [group, value] of Object.entries(parsed)) {
        if (typeof value !== 'string' || value.trim() === '') {
          ctx.addIssue({ code: 'custom', message: `the value for group "${group}" must be a non-empty string` });
        } else if (allowed && !(allowed as readonly string[]).includes(value)) {
          ctx.addIssue({ code: 'custom', message: `group "${group}" maps to "${value}", which is not a role (${allowed.join(', ')})` });
        } else {
          map[group] = value as V;
        }
      }
      return map;
    });
}

const ESCALATE_AFTER_MAX_S = 86_400;

/**
 * ALERT_ESCALATE_AFTER_S: one number of seconds for high and medium alike (`90`), or per priority
 * (`high=120,medium=300`; a priority left out keeps its default). Low priority never escalates, so
 * naming it is an error rather than a setting that would be silently ignored.
 */
export function parseEscalateAfterS(text: string, ctx: z.RefinementCtx): EscalateAfterS {
  const seconds = (value: string, what: string): number | null => {
    const n = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
    if (Number.isFinite(n) && n >= 1 && n <= ESCALATE_AFTER_MAX_S) return n;
    ctx.addIssue({ code: 'custom', message: `${what} must be a number of seconds from 1 to ${ESCALATE_AFTER_MAX_S}, got "${value}"` });
    return null;
  };
  const trimmed = text.trim();
  if (trimmed === '') return { ...DEFAULT_ESCALATE_AFTER_S };
  if (!trimmed.includes('=')) {
    const n = seconds(trimmed, 'the period');
    return n === null ? z.NEVER : { high: n, medium: n };
  }
  const result = { ...DEFAULT_ESCALATE_AFTER_S };
  const named = new Set<string>();
  for (const part of trimmed.split(',')) {
    const [name = '', value = '', ...extra] = part.split('=').map((p) => p.trim());
    if (extra.length > 0 || (name !== 'high' && name !== 'medium')) {
      const hint = name === 'low' ? ' (low priority never escalates)' : '';
      ctx.addIssue({ code: 'custom', message: `"${part.trim()}" is not high=<seconds> or medium=<seconds>${hint}` });
      return z.NEVER;
    }
    // Two values for one priority is a typo whose winner nobody could guess: refused, not last-wins.
    if (named.has(name)) {
      ctx.addIssue({ code: 'custom', message: `${name} is given twice` });
      return z.NEVER;
    }
    named.add(name);
    const n = seconds(value, name);
    if (n === null) return z.NEVER;
    result[name] = n;
  }
  return result;
}

/**
 * A PostgreSQL URL, with one host or several (`postgres://db1,db2/attune?target_session_attrs=read-write`,
 * which postgres.js tries in turn, as libpq does: docs/deploy.md, "PostgreSQL high availability").
 */
function isPostgresUrl(value: string): boolean {
  const hosts = /^postgres(?:ql)?:\/\/(?:[^@/]*@)?([^/?#]*)/.exec(value)?.[1];
  if (hosts === undefined) return false;
  // No host in the authority: a Unix socket named by `?host=/var/run/postgresql` (as libpq takes it).
  if (hosts === '') return /[?&]host=\//.test(value) && URL.canParse(value.replace(/^(postgres(?:ql)?:\/\/(?:[^@/]*@)?)/, '$1localhost'));
  try {
    new URL(value.replace(hosts, hosts.split(',')[0]!));
    return hosts.split(',').every((h) => h.length > 0);
  } catch {
    return false;
  }
}

export const ConfigSchema = z.object({
  /** HTTP port for API, SSE and dashboard (0 picks a free port). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** postgres://... ; unset -> embedded PGlite under ATTUNE_DATA_DIR/pglite. */
  DATABASE_URL: z.string().refine(isPostgresUrl, 'expected postgres://user:password@host[:port][,host2[:port]]/database').optional(),
  /** mqtt://host:port of an external broker (Mosquitto); unset -> embedded broker on MQTT_PORT. */
  MQTT_URL: z.url({ protocol: /^mqtts?$/ }).optional(),
  /** Port of the embedded broker (0 picks a free port). */
  MQTT_PORT: z.coerce.number().int().min(0).max(65535).default(1883),
  /** The server's own MQTT identity on an external broker. */
  MQTT_USERNAME: z.string().default('attune-server'),
  MQTT_PASSWORD: z.string().optional(),
  /** MQTT client id of the server's persistent session; unset -> MQTT_USERNAME. One per server instance. */
  MQTT_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  /**
   * Names this server instance when several share one PostgreSQL and one broker (docs/scale-out.md):
   * set it on every instance, unique and stable across restarts. Unset: one instance, as always.
   */
  ATTUNE_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,48}$/, 'letters, digits, _ and - only, at most 48')
    .optional(),
  /**
   * Several instances: the broker's shared-subscription group. Every instance of one Attune
   * installation uses the same group, and no other installation on the broker may use it.
   */
  MQTT_SHARE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('attune'),
  /** Several instances: a ward, a job or a dead instance's broker session is taken over this long after its owner stops renewing. */
  LEASE_TTL_S: z.coerce.number().int().min(3).max(300).default(10),
  /** Embedded broker: largest MQTT packet a client may send, bytes after the fixed header (a 4 KiB payload plus topic and headers fits twice). */
  MQTT_MAX_PACKET_BYTES: z.coerce.number().int().min(4608).max(268_435_455).default(16384),
  /** Embedded broker: a connection not authenticated this long after it opened is closed. */
  MQTT_CONNECT_TIMEOUT_S: z.coerce.number().min(1).max(300).default(10),
  /** Embedded broker: packets per second each device may send, sustained; faster senders are slowed, not dropped. */
  MQTT_CLIENT_PACKETS_PER_S: z.coerce.number().min(1).max(100_000).default(50),
  /** Embedded broker: packets a device may send at once above the sustained rate. */
  MQTT_CLIENT_PACKET_BURST: z.coerce.number().int().min(1).max(100_000).default(200),
  /** External Mosquitto only: provision device clients through its dynamic-security plugin. */
  MQTT_DYNSEC: booleanFromEnv.default(false),
  /**
   * TLS for devices on the embedded broker: PEM certificate chain and private key files (read at
   * start; a new certificate takes a restart). Set both or neither; the embedded broker then also
   * listens for mqtts (TLS 1.2 or later) on MQTT_TLS_PORT with the same limits, and plain MQTT
   * stays on MQTT_PORT (firewall it to the loopback). With MQTT_URL, TLS is Mosquitto's to
   * configure (deploy/mosquitto/attune-tls.conf) and these are refused.
   */
  MQTT_TLS_CERT: z.string().min(1).optional(),
  MQTT_TLS_KEY: z.string().min(1).optional(),
  /** Port of the embedded broker's mqtts listener (0 picks a free port). */
  MQTT_TLS_PORT: z.coerce.number().int().min(0).max(65535).default(8883),
  /**
   * PEM file of the CA (or the self-signed certificate) the server trusts when MQTT_URL is
   * mqtts://, e.g. a hospital CA; unset: the system's CAs. The certificate is always verified.
   */
  MQTT_TLS_CA: z.string().min(1).optional(),
  /**
   * The broker address enrolled agents are given (POST /api/enrol); unset: MQTT_URL, or the embedded
   * broker on the host the agent reached the server by (mqtts:// on MQTT_TLS_PORT when it has a certificate).
   */
  DEVICE_MQTT_URL: z.url({ protocol: /^mqtts?$/ }).optional(),
  /**
   * PEM file of the CA enrolled agents are given to trust the broker's certificate; unset: MQTT_TLS_CA,
   * else MQTT_TLS_CERT when it is self-signed, else none (the agent trusts the system's CAs).
   */
  DEVICE_MQTT_CA: z.string().min(1).optional(),
  /** Hours an agent enrolment token stays valid (single use; docs/enrolment.md). */
  ENROLMENT_TOKEN_TTL_H: z.coerce.number().min(0.1).max(720).default(24),
  /** Enrolment attempts (POST /api/enrol) allowed per minute per client address. */
  ENROL_ATTEMPTS_PER_MIN: z.coerce.number().int().min(1).max(1000).default(10),
  ATTUNE_DATA_DIR: z.string().default('.data'),
  /** Seed the demo ward and demo users (never in production). */
  ATTUNE_DEMO: booleanFromEnv.default(false),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Folder of the built dashboard; unset -> dashboard/build of this repository. */
  ATTUNE_DASHBOARD_DIR: z.string().optional(),
  /**
   * The dashboard's public origin (scheme://host[:port], e.g. https://attune.hospital.example):
   * state-changing requests from a browser must come from it. Unset -> the origin each request was
   * addressed to, which is right unless a reverse proxy rewrites the Host header.
   */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((u) => new URL(u).origin)
    .optional(),
  /** Largest HTTP request body accepted (413 beyond it), bytes. */
  HTTP_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(64 * 1024),
  /** Session lifetime. */
  SESSION_TTL_HOURS: z.coerce.number().positive().max(168).default(12),
  /**
   * An alert still firing (unacknowledged) this long after it began firing escalates one level, and
   * one more per further period, up to level 3: seconds for high and medium (`90`), or
   * `high=120,medium=300` (the default). Low priority never escalates.
   */
  ALERT_ESCALATE_AFTER_S: z.string().default('').transform(parseEscalateAfterS),
  /** A device is offline after this long without a message (and at once on its Last Will). */
  DEVICE_OFFLINE_AFTER_S: z.coerce.number().int().positive().default(60),
  /** Ingest batching: rows per insert, and how long a partial batch may wait. */
  INGEST_BATCH_MAX_ROWS: z.coerce.number().int().min(1).max(5000).default(500),
  INGEST_BATCH_MAX_WAIT_MS: z.coerce.number().int().min(1).max(5000).default(50),
  /** A window ending more than this after the server's receive time is refused (device clock ahead). */
  INGEST_MAX_CLOCK_SKEW_S: z.coerce.number().int().min(1).max(3600).default(120),
  /** A window ending longer ago than this is refused: a day of outbox backlog is the most that is still worth showing. */
  INGEST_MAX_AGE_H: z.coerce.number().int().min(1).max(168).default(24),
  /** Nothing stored for this long while a message waits, or from a consented online device: a stall (readiness, board, alert). */
  INGEST_STALL_S: z.coerce.number().int().min(5).max(3600).default(30),
  /** A consented source the agent reports as failing for this long raises a "signal lost" alert. */
  SIGNAL_LOST_AFTER_S: z.coerce.number().int().min(5).max(3600).default(60),
  /** Score windows older than this, and all data of stays discharged longer ago, are deleted (the consent ledger is kept). */
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** How often the retention job runs. */
  RETENTION_JOB_EVERY_MIN: z.coerce.number().int().min(1).max(1440).default(60),
  /** Devices' status messages (the history on a device's page) are kept this long, by the retention job. */
  DEVICE_STATUS_KEEP_DAYS: z.coerce.number().int().min(1).max(3650).default(14),
  /**
   * Single sign-on with the hospital's directory (OpenID Connect, authorization code + PKCE). Set
   * OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET to offer it on the sign-in page.
   */
  OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The ID-token claim listing the user's directory groups (a string or an array of strings). */
  OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  /**
   * false (default): every sign-in asks the directory for the user's credentials (`prompt=login`), so
   * on a shared ward computer the next person is never signed in as the last one. true: the
   * directory may sign in silently from its own session, for workstations with badge tap-out.
   */
  OIDC_SILENT_SIGN_IN: booleanFromEnv.default(false),
  /** JSON object, directory group -> Attune role, e.g. {"ward7b-nurses":"nurse","it-clinical":"it_admin"}. A user none of whose groups maps to a role is refused. */
  OIDC_ROLE_MAP: groupMapFromEnv(ROLES),
  /** JSON object, directory group -> ward name, e.g. {"ward7b-nurses":"Ward 7B"}: the wards a directory user works on. */
  OIDC_WARD_MAP: groupMapFromEnv(),
  /** Bedside tablet pairing attempts allowed per minute per client address. */
  TABLET_PAIR_ATTEMPTS_PER_MIN: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * Wrong bedside tablet pairing codes allowed per ward in a sliding 10 minutes, from all addresses
   * together. When they are spent, pairing on that ward pauses for 10 minutes for everyone (correct
   * codes too), so guessing from many addresses does not scale: at most this many guesses per 10
   * minutes against the ward's few open codes out of 10^6 (docs/tablet-pairing.md).
   */
  TABLET_PAIR_FAILURES_PER_WARD_PER_10MIN: z.coerce.number().int().min(1).max(1000).default(30),
});

export type Config = z.infer<typeof ConfigSchema> & { dataDir: string };

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = result.data;
  if (config.ATTUNE_DEMO && config.NODE_ENV === 'production') {
    throw new ConfigError(
      'Invalid configuration:\n  ATTUNE_DEMO: demo mode (demo users with known passwords) is refused when NODE_ENV=production',
    );
  }
  const mqttTlsProblem = checkMqttTls(config);
  if (mqttTlsProblem) throw new ConfigError(`Invalid configuration:\n  ${mqttTlsProblem}`);
  const instanceProblem = checkInstance(config);
  if (instanceProblem) throw new ConfigError(`Invalid configuration:\n  ${instanceProblem}`);
  const oidcProblem = checkOidc(config);
  if (oidcProblem) throw new ConfigError(`Invalid configuration:\n  ${oidcProblem}`);
  return { ...config, dataDir: resolve(config.ATTUNE_DATA_DIR) };
}

/** TLS settings that would be silently ignored, or half a certificate, are configuration errors. */
function checkMqttTls(config: z.infer<typeof ConfigSchema>): string | null {
  const { MQTT_TLS_CERT: cert, MQTT_TLS_KEY: key, MQTT_URL: url, MQTT_TLS_CA: ca } = config;
  if (cert && !key) return 'MQTT_TLS_KEY: MQTT_TLS_CERT is set but MQTT_TLS_KEY is not; the mqtts listener needs both (or neither)';
  if (key && !cert) return 'MQTT_TLS_CERT: MQTT_TLS_KEY is set but MQTT_TLS_CERT is not; the mqtts listener needs both (or neither)';
  if (cert && url)
    return 'MQTT_TLS_CERT: the certificate is for the embedded broker, which does not run when MQTT_URL is set; configure TLS in Mosquitto instead (docs/deploy.md, "TLS for devices")';
  if (ca && !url?.startsWith('mqtts:'))
    return 'MQTT_TLS_CA: only used when MQTT_URL is mqtts:// (the server reaches the embedded broker over the loopback)';
  return null;
}

/** Several instances share a PostgreSQL and an external broker; the embedded defaults belong to one process. */
function checkInstance(config: z.infer<typeof ConfigSchema>): string | null {
  if (!config.ATTUNE_INSTANCE_ID) return null;
  if (!config.DATABASE_URL)
    return 'ATTUNE_INSTANCE_ID: several instances share one PostgreSQL; set DATABASE_URL (PGlite belongs to one process)';
  if (!config.MQTT_URL)
    return 'ATTUNE_INSTANCE_ID: several instances share one broker; set MQTT_URL (the embedded broker belongs to one process)';
  return null;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Single sign-on is all or nothing: issuer, client id and secret together, and PUBLIC_URL, because
 * the redirect URI registered at the directory is built from it (a Host header is the client's to
 * choose). The directory is reached over HTTPS; plain HTTP only on the loopback (a test directory).
 */
function checkOidc(config: z.infer<typeof ConfigSchema>): string | null {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: secret } = config;
  const set = [issuer, clientId, secret].filter((v) => v !== undefined).length;
  if (set === 0) {
    if (Object.keys(config.OIDC_ROLE_MAP).length > 0 || Object.keys(config.OIDC_WARD_MAP).length > 0) {
      return 'OIDC_ISSUER: OIDC_ROLE_MAP or OIDC_WARD_MAP is set but single sign-on is not configured (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET)';
    }
    return null;
  }
  if (!issuer) return 'OIDC_ISSUER: single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together (or none)';
  if (!clientId) return 'OIDC_CLIENT_ID: single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together (or none)';
  if (!secret) return 'OIDC_CLIENT_SECRET: single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together (or none)';
  const issuerUrl = new URL(issuer);
  if (issuerUrl.protocol !== 'https:' && !LOOPBACK_HOSTS.has(issuerUrl.hostname)) {
    return 'OIDC_ISSUER: the directory must be reached over https:// (plain http only on the loopback, for tests)';
  }
  if (!config.PUBLIC_URL) {
    return "PUBLIC_URL: single sign-on needs the dashboard's public address to build the redirect URI (PUBLIC_URL/api/auth/oidc/callback)";
  }
  if (Object.keys(config.OIDC_ROLE_MAP).length === 0) {
    return 'OIDC_ROLE_MAP: single sign-on is configured but no directory group maps to a role, so every sign-in would be refused';
  }
  return null;
}
