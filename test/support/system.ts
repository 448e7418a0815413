/**
 * Starts the whole Attune server for a test on random ports: embedded PGlite and broker by
 * default, or PostgreSQL (a fresh scratch database) and an external broker when DATABASE_URL /
 * MQTT_URL are set, as CI does. Seeds one ward with beds, devices, stays and consent as asked.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createScratchDatabaseUrl, dropScratchDatabase } from '@attune/db/testing';
import { encodePayload, topics, type ScoreWindow } from '@attune/protocol';
import { createLogger, hashPassword, loadConfig, randomSecret, startServer, type RunningServer } from '@attune/server';

import { deviceConnectOptions, discardBrokerSession, externalBrokerIdentity, provisionBrokerDevice } from './broker.ts';

export type ScoreWindowInput = ScoreWindow;

export interface TestBed {
  /** null: no active stay on this bed. */
  consent: { camera: boolean; wearable: boolean } | null | 'no-consent';
}

export interface TestDevice {
  deviceId: string;
  password: string;
  bedId: string;
  wardId: string;
  stayId: string | null;
}

export interface TestSystem {
  baseUrl: string;
  mqttUrl: string;
  wardId: string;
  devices: TestDevice[];
  server: RunningServer;
  /** Which backends this run uses, for test names. */
  label: string;
  /** Publishes windows as the device (its own credentials), QoS 1, and waits for PUBACKs. */
  publishScores(deviceId: string, windows: ScoreWindowInput[]): Promise<void>;
  /** Connects as a device (for raw or hostile publishes). */
  connectDevice(deviceId: string, options?: { password?: string; clientId?: string }): Promise<MqttClient>;
  /** Stops the server (and with it the embedded broker) and starts it again on the same ports and data. */
  restartServer(downtimeMs?: number): Promise<void>;
  /** Signs in and returns the session cookie header. */
  login(username?: string): Promise<string>;
  stop(): Promise<void>;
}

export const TEST_USERS = [
  { username: 'demo-nurse', displayName: 'Demo Nurse', role: 'nurse' },
  { username: 'demo-charge', displayName: 'Demo Charge Nurse', role: 'charge_nurse' },
  { username: 'demo-it', displayName: 'Demo IT Admin', role: 'it_admin' },
] as const;

const DEFAULT_BEDS: TestBed[] = [
  { consent: { camera: true, wearable: true } },
  { consent: { camera: false, wearable: true } },
  { consent: 'no-consent' },
  { consent: null },
];

export interface Backend {
  label: string;
  databaseUrl: string | undefined;
  mqttUrl: string | undefined;
}

/** Embedded defaults always; the real servers too when CI (or a developer) names them. */
export function backends(): Backend[] {
  const list: Backend[] = [{ label: 'PGlite + embedded broker', databaseUrl: undefined, mqttUrl: undefined }];
  const { DATABASE_URL, MQTT_URL } = process.env;
  if (DATABASE_URL || MQTT_URL) {
    list.push({
      label: `${DATABASE_URL ? 'PostgreSQL' : 'PGlite'} + ${MQTT_URL ? 'Mosquitto' : 'embedded broker'}`,
      databaseUrl: DATABASE_URL,
      mqttUrl: MQTT_URL,
    });
  } else {
    console.warn(
      'DATABASE_URL and MQTT_URL are not set: integration tests run on the embedded defaults only (CI also runs them on PostgreSQL + Mosquitto).',
    );
  }
  return list;
}

export async function startTestSystem(
  opts: { backend?: Backend; beds?: TestBed[]; env?: Record<string, string> } = {},
): Promise<TestSystem> {
  const backend = opts.backend ?? backends()[0]!;
  const dataDir = mkdtempSync(join(tmpdir(), 'attune-test-'));
  const adminUrl = backend.databaseUrl;
  const externalMqtt = backend.mqttUrl;
  const databaseUrl = adminUrl ? await createScratchDatabaseUrl(adminUrl) : undefined;
  const brokerIdentity = externalMqtt ? externalBrokerIdentity() : null;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    MQTT_PORT: '0',
    ATTUNE_DATA_DIR: dataDir,
    LOG_LEVEL: process.env.ATTUNE_TEST_LOG_LEVEL ?? 'error',
    NODE_ENV: 'test',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(externalMqtt ? { MQTT_URL: externalMqtt, ...brokerIdentity } : {}),
    ...opts.env,
  });
  let server: RunningServer;
  try {
    server = await startServer(config, { logger: createLogger(config.LOG_LEVEL) });
  } catch (error) {
    if (adminUrl && databaseUrl) await dropScratchDatabase(adminUrl, databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { wardId, devices } = await seedTestWard(server, opts.beds ?? DEFAULT_BEDS);

  const clients: MqttClient[] = [];
  const connectDevice = async (deviceId: string, options: { password?: string; clientId?: string } = {}) => {
    const device = devices.find((d) => d.deviceId === deviceId);
    const password = options.password ?? device?.password ?? '';
    const client = await mqtt.connectAsync(
      server.mqttUrl,
      deviceConnectOptions({ deviceId, password }, { clientId: options.clientId ?? deviceId }),
    );
    clients.push(client);
    return client;
  };

  const system: TestSystem = {
    baseUrl: server.url.replace('localhost', '127.0.0.1'),
    mqttUrl: server.mqttUrl,
    wardId,
    devices,
    server,
    label: backend.label,
    connectDevice,
    async publishScores(deviceId, windows) {
      const client = await connectDevice(deviceId);
      for (const w of windows) await client.publishAsync(topics.scores(deviceId), encodePayload('scores', w), { qos: 1 });
      await client.endAsync();
    },
    async login(username = 'demo-nurse') {
      const res = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: username }),
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
      return res.headers.get('set-cookie')!.split(';')[0]!;
    },
    async restartServer(downtimeMs = 0) {
      await server.stop();
      await new Promise((r) => setTimeout(r, downtimeMs));
      const samePorts = {
        ...config,
        PORT: server.httpPort,
        MQTT_PORT: externalMqtt ? config.MQTT_PORT : Number(new URL(server.mqttUrl).port),
      };
      server = await startServer(samePorts, { logger: createLogger(config.LOG_LEVEL) });
      system.server = server;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
      await server.stop();
      if (externalMqtt && brokerIdentity) await discardBrokerSession(externalMqtt, brokerIdentity);
      if (adminUrl && databaseUrl) await dropScratchDatabase(adminUrl, databaseUrl);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return system;
}

/** A device password derived from a test's secret, so a seeding process and the test agree on it. */
export function testDevicePassword(secret: string, deviceId: string): string {
  return createHash('sha256').update(`${secret}:${deviceId}`).digest('base64url');
}

/**
 * Seeds the test users and one ward with a bed, an enrolled device (its credentials provisioned on
 * the broker) and, as asked, a stay with consent per bed. Device passwords come from `passwordFor`
 * (random by default), so a test that restarts a server process can seed it the same way.
 */
export async function seedTestWard(
  server: RunningServer,
  beds: TestBed[],
  options: { suffix?: string; passwordFor?: (deviceId: string) => string } = {},
): Promise<{ wardId: string; devices: TestDevice[] }> {
  const { users, wards, stays, devices: deviceRepo } = server.repositories;
  const suffix =
    options.suffix ??
    randomSecret(4)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x');
  const wardId = await wards.create(`Test ward ${suffix}`);
  for (const u of TEST_USERS) {
    const userId = await users.upsert({ ...u, passwordHash: await hashPassword(u.username) });
    if (u.role !== 'it_admin') await users.addWards(userId, [wardId]);
  }
  const devices: TestDevice[] = [];
  for (const [i, bed] of beds.entries()) {
    const bedId = await wards.addBed(wardId, `Bed ${i + 1}`, i + 1);
    const deviceId = `t${suffix}-bed-${i + 1}`;
    const password = options.passwordFor?.(deviceId) ?? randomSecret();
    await deviceRepo.create({ id: deviceId, bedId, credentialHash: await hashPassword(password) });
    await provisionBrokerDevice(server, deviceId, password);
    let stayId: string | null = null;
    if (bed.consent !== null) {
      stayId = await stays.admit({ displayName: `Patient ${i + 1}` }, bedId, new Date(Date.now() - 3600_000));
      if (bed.consent !== 'no-consent') {
        await server.services.consent.record(
          stayId,
          { ...bed.consent, actorKind: 'patient', language: 'en' },
          new Date(Date.now() - 3000_000),
        );
      } else {
        await server.services.consent.bedChanged(bedId);
      }
    }
    devices.push({ deviceId, password, bedId, wardId, stayId });
  }
  return { wardId, devices };
}

/** What every test window starts with: the protocol version, the device, its seq, 5 s ending at `end`, and consent version 1. */
export function windowFrame(
  deviceId: string,
  seq: number,
  end: Date,
): Pick<ScoreWindow, 'v' | 'deviceId' | 'seq' | 'windowStart' | 'windowEnd' | 'consentVersion'> {
  return {
    v: 2,
    deviceId,
    seq,
    windowStart: new Date(end.getTime() - 5000).toISOString(),
    windowEnd: end.toISOString(),
    consentVersion: 1,
  };
}

/** Builds a valid wearable-only score window ending at `end`. */
export function makeWindow(
  deviceId: string,
  seq: number,
  end: Date,
  fused: { distress: number; confidence: number },
  overrides: Partial<ScoreWindow> = {},
): ScoreWindow {
  return {
    ...windowFrame(deviceId, seq, end),
    fused: { ...fused, drivers: fused.distress >= 0.7 ? [{ code: 'heart_rate_high', value: 96, unit: 'bpm', baseline: 72 }] : [] },
    wearable: {
      hrBpm: fused.distress >= 0.7 ? 96 : 72,
      hrBaselineBpm: 72,
      sdnnMs: 40,
      rmssdMs: 30,
      sclUs: 4,
      scrPerMin: fused.distress >= 0.7 ? 8 : 2,
      tempC: 33,
      activityG: 0.02,
      distress: fused.distress,
      baselineReady: true,
      onWrist: true,
    },
    quality: { wearableCoverage: 1, faceCoverage: null, unobserved: ['face', 'expression', 'pain_face'] },
    models: { 'wearable-distress': '1.0.0' },
    ...overrides,
  };
}

/** `count` windows of 5 s ending at `end`, oldest first. */
export function makeEpisode(
  deviceId: string,
  firstSeq: number,
  count: number,
  end: Date,
  fused: { distress: number; confidence: number },
): ScoreWindow[] {
  return Array.from({ length: count }, (_, i) =>
    makeWindow(deviceId, firstSeq + i, new Date(end.getTime() - (count - 1 - i) * 5000), fused),
  );
}

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET a JSON API path with a session cookie. Untyped on purpose: tests assert the shapes of docs/api.md. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function getJson(baseUrl: string, path: string, cookie: string): Promise<any> {
  const res = await fetch(`${baseUrl}${path}`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  return res.json();
}

/**
 * Stores windows straight in score_window, without ingest and without alert evaluation: what a
 * crash between the commit and the alert leaves behind (the alert rebuild must pick them up).
 */
export async function storeWindowsUnevaluated(sys: TestSystem, stayId: string | null, windows: ScoreWindow[]): Promise<void> {
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  for (const w of windows) {
    await sys.server.db.query(
      `insert into score_window (device_id, seq, stay_id, window_start, window_end, distress, confidence, drivers, wearable, face, quality, models, received_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11::jsonb, $12::jsonb, now())`,
      [
        w.deviceId,
        w.seq,
        stayId,
        w.windowStart,
        w.windowEnd,
        w.fused.distress,
        w.fused.confidence,
        JSON.stringify(w.fused.drivers),
        json(w.wearable),
        json(w.face),
        JSON.stringify(w.quality),
        JSON.stringify(w.models),
      ],
    );
  }
}
