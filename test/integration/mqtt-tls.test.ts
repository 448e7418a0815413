/**
 * MQTT over TLS (mqtts) for devices, with a self-signed certificate generated here (no key is
 * committed): on the embedded broker (MQTT_TLS_CERT / MQTT_TLS_KEY) always, and on a private
 * Mosquitto configured as shipped (deploy/mosquitto/attune.conf + attune-tls.conf, started by
 * scripts/mosquitto.sh) whenever the mosquitto binary is installed, with the server connecting to
 * it over mqtts and trusting the certificate through MQTT_TLS_CA.
 *
 * Each broker must store a window a device sends over TLS, and refuse: a client that does not
 * trust the certificate, a plaintext client on the TLS port, and a wrong device password.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentLogger, type RunningAgent } from '@attune/edge-agent';
import { ConfigError, createLogger, loadConfig, randomSecret, startServer, type RunningServer } from '@attune/server';
import { bedsideAgentConfig } from '../support/bedside-agent.ts';
import { freePort } from '../support/free-port.ts';
import { readMetric } from '../support/metrics.ts';
import {
  connectionError,
  deviceOptions,
  itRefusesOverTls,
  publishOverTls,
  selfSignedCertificate,
  storedWindows,
  type TestCertificate,
} from '../support/mqtt-tls.ts';
import { seedTestWard, startTestSystem, waitFor, type TestDevice, type TestSystem } from '../support/system.ts';

const MOSQUITTO_SCRIPT = fileURLToPath(new URL('../../scripts/mosquitto.sh', import.meta.url));

let certificate: TestCertificate;
beforeAll(async () => {
  certificate = await selfSignedCertificate();
});
afterAll(() => {
  if (certificate) rmSync(certificate.dir, { recursive: true, force: true });
});

/** Whether a process still runs (signal 0 only checks). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('TLS configuration', () => {
  it('refuses a certificate without its key, and a key without its certificate, naming the missing variable', () => {
    expect(() => loadConfig({ MQTT_TLS_CERT: '/etc/attune/mqtt.crt' })).toThrow(ConfigError);
    expect(() => loadConfig({ MQTT_TLS_CERT: '/etc/attune/mqtt.crt' })).toThrow(
      /MQTT_TLS_KEY: MQTT_TLS_CERT is set but MQTT_TLS_KEY is not/,
    );
    expect(() => loadConfig({ MQTT_TLS_KEY: '/etc/attune/mqtt.key' })).toThrow(
      /MQTT_TLS_CERT: MQTT_TLS_KEY is set but MQTT_TLS_CERT is not/,
    );
    expect(loadConfig({ MQTT_TLS_CERT: '/a.crt', MQTT_TLS_KEY: '/a.key' }).MQTT_TLS_PORT).toBe(8883);
  });

  it('refuses TLS settings that would be ignored', () => {
    expect(() => loadConfig({ MQTT_URL: 'mqtts://broker:8883', MQTT_TLS_CERT: '/a.crt', MQTT_TLS_KEY: '/a.key' })).toThrow(
      /MQTT_TLS_CERT: .*configure TLS in Mosquitto/,
    );
    expect(() => loadConfig({ MQTT_URL: 'mqtt://broker:1883', MQTT_TLS_CA: '/ca.pem' })).toThrow(
      /MQTT_TLS_CA: only used when MQTT_URL is mqtts/,
    );
    expect(() => loadConfig({ MQTT_TLS_CA: '/ca.pem' })).toThrow(/MQTT_TLS_CA/);
    expect(loadConfig({ MQTT_URL: 'mqtts://broker:8883', MQTT_TLS_CA: '/ca.pem' }).MQTT_TLS_CA).toBe('/ca.pem');
  });

  it('stops at start on a key that is not the certificate’s, naming the variable', async () => {
    const other = await selfSignedCertificate();
    const dataDir = mkdtempSync(join(tmpdir(), 'attune-tls-config-'));
    try {
      const config = loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MQTT_PORT: '0',
        MQTT_TLS_PORT: '0',
        ATTUNE_DATA_DIR: dataDir,
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        MQTT_TLS_CERT: certificate.certPath,
        MQTT_TLS_KEY: other.keyPath,
      });
      await expect(startServer(config, { logger: createLogger('error') })).rejects.toThrow(
        /MQTT_TLS_KEY: .* is not the unencrypted private key of/,
      );
      await expect(
        startServer({ ...config, MQTT_TLS_KEY: join(other.dir, 'missing.pem') }, { logger: createLogger('error') }),
      ).rejects.toThrow(/MQTT_TLS_KEY: cannot read .*missing\.pem/);
    } finally {
      rmSync(other.dir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('MQTT over TLS on the embedded broker', () => {
  let sys: TestSystem;
  let tlsUrl: string;
  beforeAll(async () => {
    sys = await startTestSystem({
      beds: [{ consent: { camera: false, wearable: true } }, { consent: { camera: false, wearable: true } }],
      // A short connect timeout, for the stalled-handshake test.
      env: { MQTT_TLS_CERT: certificate.certPath, MQTT_TLS_KEY: certificate.keyPath, MQTT_TLS_PORT: '0', MQTT_CONNECT_TIMEOUT_S: '1' },
    });
    tlsUrl = sys.server.mqttTlsUrl!;
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('listens for mqtts on its own port next to plain MQTT', () => {
    expect(tlsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(tlsUrl).port).not.toBe(new URL(sys.mqttUrl).port);
  });

  it('stores the window a device sends over TLS, trusting the self-signed certificate', async () => {
    const device = sys.devices[0]!;
    const tls = await publishOverTls(tlsUrl, certificate.cert, device, 1);
    expect(tls.authorized).toBe(true);
    expect(['TLSv1.2', 'TLSv1.3']).toContain(tls.protocol);
    await waitFor(async () => (await storedWindows(sys.server, device.deviceId)) === 1, 'the window sent over TLS to be stored');
  });

  itRefusesOverTls(() => ({ tlsUrl, device: sys.devices[0]!, cert: certificate.cert }));

  it('refuses a client that expects another host name than the certificate names', async () => {
    const error = await connectionError(tlsUrl, deviceOptions(sys.devices[0]!, { ca: certificate.cert, servername: 'broker.example' }));
    expect((error as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('runs the edge agent over mqtts with mqtt.caFile, and an agent without it never connects', async () => {
    const device = sys.devices[1]!;
    const agentDir = mkdtempSync(join(tmpdir(), 'attune-tls-agent-'));
    const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
    const log: AgentLogger = { info: () => {}, error: () => {}, warn: (msg, fields) => void warnings.push({ msg, fields }) };
    const agentConfig = (caFile: string | undefined, dataDir: string) =>
      bedsideAgentConfig(device, { mqttUrl: tlsUrl, caFile, dataDir, windowMs: 1000, baselineWindows: 1, seed: 3 });
    let untrusting: RunningAgent | null = null;
    let trusting: RunningAgent | null = null;
    try {
      untrusting = await startAgent(agentConfig(undefined, join(agentDir, 'untrusting')), { log });
      await waitFor(async () => warnings.find((w) => w.msg === 'mqtt error'), 'the untrusting agent to report its TLS error');
      expect(warnings.find((w) => w.msg === 'mqtt error')!.fields).toMatchObject({ error: 'self-signed certificate' });
      expect(untrusting.status().connected).toBe(false);
      await untrusting.stop();
      untrusting = null;

      trusting = await startAgent(agentConfig(certificate.certPath, join(agentDir, 'trusting')), { log });
      // Consent reaches it over TLS, it measures, and its windows are stored.
      await waitFor(
        async () => (await storedWindows(sys.server, device.deviceId)) >= 2,
        'the agent’s windows sent over TLS to be stored',
        30_000,
      );
      expect(trusting.status().connected).toBe(true);
    } finally {
      await untrusting?.stop();
      await trusting?.stop();
      rmSync(agentDir, { recursive: true, force: true });
    }
  });

  it('closes a connection that never starts the TLS handshake (connect timeout)', async () => {
    const before = await readMetric(sys.baseUrl, 'attune_broker_limited_total', { limit: 'connect_timeout' });
    const { hostname, port } = new URL(tlsUrl);
    await new Promise<void>((resolve, reject) => {
      const socket = connectTcp(Number(port), hostname); // opens TCP, sends nothing
      socket.on('error', () => {}); // a reset is the expected end
      socket.once('close', () => resolve());
      socket.setTimeout(30_000, () => {
        socket.destroy();
        reject(new Error('the TLS port kept a silent connection open for 30 s'));
      });
    });
    await waitFor(
      async () => (await readMetric(sys.baseUrl, 'attune_broker_limited_total', { limit: 'connect_timeout' })) > before,
      'the stalled handshake to be counted as a connect timeout',
    );
  });

  it('applies the same door limits on the TLS listener: an oversized packet closes the connection', async () => {
    const before = await readMetric(sys.baseUrl, 'attune_broker_limited_total', { limit: 'packet_size' });
    const { hostname, port } = new URL(tlsUrl);
    const closed = await new Promise<boolean>((resolve, reject) => {
      const socket = connectTls({ host: hostname, port: Number(port), ca: certificate.cert }, () => {
        // A CONNECT announcing 1 MiB (remaining length 0x80 0x80 0x40), far over the 16 KiB limit.
        socket.write(Buffer.from([0x10, 0x80, 0x80, 0x40]));
      });
      socket.on('error', () => {}); // a reset is the expected end
      socket.once('close', () => resolve(true));
      socket.setTimeout(30_000, () => {
        socket.destroy();
        reject(new Error('the oversized packet did not close the TLS connection within 30 s'));
      });
    });
    expect(closed).toBe(true);
    await waitFor(
      async () => (await readMetric(sys.baseUrl, 'attune_broker_limited_total', { limit: 'packet_size' })) > before,
      'the packet-size limit to be counted',
    );
  });
});

const mosquittoBinary = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));
const mosquittoMissing = !mosquittoBinary;
if (mosquittoMissing) {
  console.warn(
    'SKIPPED: MQTT over TLS on Mosquitto: no mosquitto binary (/usr/sbin/mosquitto); install mosquitto 2.x to run it (CI does).',
  );
}

describe.skipIf(mosquittoMissing)('MQTT over TLS on Mosquitto (shipped configuration)', () => {
  let stateDir: string;
  let dataDir: string;
  let tlsUrl: string;
  let server: RunningServer;
  let device: TestDevice;
  const serverPassword = randomSecret();
  const serverConfig = (extra: Record<string, string>) =>
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      ATTUNE_DATA_DIR: dataDir,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.ATTUNE_TEST_LOG_LEVEL ?? 'error',
      MQTT_URL: tlsUrl,
      MQTT_USERNAME: 'attune-server',
      MQTT_PASSWORD: serverPassword,
      MQTT_DYNSEC: 'true',
      MQTT_CLIENT_ID: 'attune-tls-test',
      ...extra,
    });

  beforeAll(async () => {
    // Its own folder directly under the temporary folder: Mosquitto drops to its own user, which must reach it.
    stateDir = mkdtempSync(join(tmpdir(), 'attune-mosquitto-tls-'));
    dataDir = mkdtempSync(join(tmpdir(), 'attune-tls-data-'));
    const [plainPort, tlsPort] = [await freePort(), await freePort()];
    execFileSync('bash', [MOSQUITTO_SCRIPT, stateDir, String(plainPort), serverPassword], {
      env: {
        ...process.env,
        MOSQUITTO_TLS_CERT: certificate.certPath,
        MOSQUITTO_TLS_KEY: certificate.keyPath,
        MOSQUITTO_TLS_PORT: String(tlsPort),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    tlsUrl = `mqtts://127.0.0.1:${tlsPort}`;
    server = await startServer(serverConfig({ MQTT_TLS_CA: certificate.certPath }), { logger: createLogger('error') });
    const seeded = await seedTestWard(server, [{ consent: { camera: false, wearable: true } }]);
    device = seeded.devices[0]!;
  });
  afterAll(async () => {
    await server?.stop();
    const pidFile = stateDir ? join(stateDir, 'mosquitto.pid') : null;
    if (pidFile && existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        process.kill(pid, 'SIGTERM');
        // Mosquitto writes its persistence file as it exits: removing its folder before then races it (ENOTEMPTY).
        for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      } catch {
        // already gone
      }
    }
    if (stateDir) rmSync(stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('configures the TLS listener from deploy/mosquitto/attune-tls.conf with TLS 1.2 at least', () => {
    const conf = readFileSync(join(stateDir, 'mosquitto.conf'), 'utf8');
    expect(conf).toMatch(new RegExp(`^listener ${new URL(tlsUrl).port} 127\\.0\\.0\\.1$`, 'm'));
    expect(conf).toMatch(/^tls_version tlsv1\.2$/m);
    expect(conf).toMatch(/^max_packet_size 16389$/m);
  });

  it('the server connects over mqtts only when it trusts the certificate (MQTT_TLS_CA)', async () => {
    const otherDataDir = mkdtempSync(join(tmpdir(), 'attune-tls-data-'));
    try {
      const untrusting = serverConfig({ MQTT_CLIENT_ID: 'attune-tls-untrusting', ATTUNE_DATA_DIR: otherDataDir });
      await expect(startServer(untrusting, { logger: createLogger('error') })).rejects.toThrow(
        /Cannot connect to the MQTT broker at mqtts:.*self[- ]signed certificate/,
      );
    } finally {
      rmSync(otherDataDir, { recursive: true, force: true });
    }
  });

  it('stores the window a device sends over TLS (device and server both on mqtts)', async () => {
    const tls = await publishOverTls(tlsUrl, certificate.cert, device, 1);
    expect(tls.authorized).toBe(true);
    expect(['TLSv1.2', 'TLSv1.3']).toContain(tls.protocol);
    await waitFor(async () => (await storedWindows(server, device.deviceId)) === 1, 'the window sent over TLS to be stored');
  });

  itRefusesOverTls(() => ({ tlsUrl, device, cert: certificate.cert }));
});
