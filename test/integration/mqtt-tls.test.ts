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
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type IClientOptions } from 'mqtt';
import { generate } from 'selfsigned';
import { encodePayload, topics } from '@attune/protocol';
import { startAgent, type AgentLogger, type RunningAgent } from '@attune/edge-agent';
import { ConfigError, createLogger, loadConfig, randomSecret, startServer, type RunningServer } from '@attune/server';
import { readMetric } from '../support/metrics.ts';
import { makeWindow, seedTestWard, startTestSystem, waitFor, type TestDevice, type TestSystem } from '../support/system.ts';

const MOSQUITTO_SCRIPT = fileURLToPath(new URL('../../scripts/mosquitto.sh', import.meta.url));

interface TestCertificate {
  dir: string;
  certPath: string;
  keyPath: string;
  cert: Buffer;
}

/** A self-signed certificate for the loopback (127.0.0.1, ::1, localhost), valid for a day. */
async function selfSignedCertificate(): Promise<TestCertificate> {
  const pems = await generate([{ name: 'commonName', value: 'attune-test-broker' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'attune-mqtt-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  writeFileSync(certPath, pems.cert);
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  return { dir, certPath, keyPath, cert: Buffer.from(pems.cert) };
}

function deviceOptions(device: TestDevice, extra: IClientOptions = {}): IClientOptions {
  return {
    protocolVersion: 4,
    clientId: device.deviceId,
    username: device.deviceId,
    password: device.password,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...extra,
  };
}

/** Connects over TLS trusting `ca`, publishes one window (QoS 1, waits for its PUBACK), and reports the TLS version used. */
async function publishOverTls(
  url: string,
  ca: Buffer,
  device: TestDevice,
  seq: number,
): Promise<{ protocol: string | null; authorized: boolean }> {
  const client = await mqtt.connectAsync(url, deviceOptions(device, { ca }));
  try {
    const socket = client.stream as TLSSocket;
    const window = makeWindow(device.deviceId, seq, new Date(), { distress: 0.42, confidence: 0.8 });
    await client.publishAsync(topics.scores(device.deviceId), encodePayload('scores', window), { qos: 1 });
    return { protocol: socket.getProtocol(), authorized: socket.authorized };
  } finally {
    await client.endAsync();
  }
}

/** The error a connection attempt ends with (it must not succeed). */
async function connectionError(url: string, options: IClientOptions): Promise<Error> {
  const client = mqtt.connect(url, options);
  return new Promise<Error>((resolve) => {
    client.once('connect', () => {
      client.end(true);
      resolve(new Error('UNEXPECTED: the connection was accepted'));
    });
    client.once('error', (error) => {
      client.end(true);
      resolve(error);
    });
    // A connection closed without an MQTT or TLS error (e.g. plaintext on the TLS port).
    client.once('close', () => {
      client.end(true);
      resolve(Object.assign(new Error('connection closed before CONNACK'), { code: 'CLOSED' }));
    });
  });
}

/** Speaks plaintext MQTT to the TLS port: sends a CONNECT and resolves with what comes back before the server closes the socket. */
function plaintextConnect(url: string): Promise<{ bytesBack: Buffer }> {
  const { hostname, port } = new URL(url);
  // A minimal MQTT 3.1.1 CONNECT (client id "p", no credentials).
  const connectPacket = Buffer.from([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x01, 0x70]);
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    const socket = connectTcp(Number(port), hostname, () => socket.write(connectPacket));
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => {}); // a reset is an expected end
    socket.once('close', () => resolve({ bytesBack: Buffer.concat(received) }));
    socket.setTimeout(30_000, () => {
      socket.destroy();
      reject(new Error('the TLS port kept a plaintext connection open for 30 s'));
    });
  });
}

/** Offers only TLS 1.0/1.1 (a client that OpenSSL 3 lets do so at all); resolves with the error the handshake ends with. */
function oldTlsHandshake(url: string): Promise<Error> {
  const { hostname, port } = new URL(url);
  return new Promise<Error>((resolve) => {
    const socket: TLSSocket = connectTls({
      host: hostname,
      port: Number(port),
      ca: certificate.cert,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    socket.once('secureConnect', () => {
      const negotiated = socket.getProtocol();
      socket.destroy();
      resolve(new Error(`UNEXPECTED: negotiated ${negotiated}`));
    });
    socket.once('error', resolve);
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const storedWindows = async (server: RunningServer, deviceId: string) =>
  Number((await server.db.query<{ n: number }>(`select count(*)::int as n from score_window where device_id = $1`, [deviceId]))[0]!.n);

let certificate: TestCertificate;
beforeAll(async () => {
  certificate = await selfSignedCertificate();
});
afterAll(() => {
  if (certificate) rmSync(certificate.dir, { recursive: true, force: true });
});

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

  it('refuses a client that does not trust the certificate (the handshake fails, nothing is sent)', async () => {
    const error = await connectionError(tlsUrl, deviceOptions(sys.devices[0]!));
    expect((error as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('refuses a client that expects another host name than the certificate names', async () => {
    const error = await connectionError(tlsUrl, deviceOptions(sys.devices[0]!, { ca: certificate.cert, servername: 'broker.example' }));
    expect((error as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('refuses TLS older than 1.2', async () => {
    expect((await oldTlsHandshake(tlsUrl)).message).toMatch(/protocol version|unsupported protocol/i);
  });

  it('gives a plaintext MQTT client on the TLS port no MQTT answer', async () => {
    const { bytesBack } = await plaintextConnect(tlsUrl);
    // A TLS alert at most (record type 21), never a CONNACK (0x20).
    expect(bytesBack.length === 0 || bytesBack[0] === 21).toBe(true);
  });

  it('refuses a wrong device password over TLS', async () => {
    const device = sys.devices[0]!;
    const error = await connectionError(tlsUrl, deviceOptions(device, { ca: certificate.cert, password: 'not-the-password' }));
    expect(error.message).toMatch(/Bad username or password|Not authorized/i);
  });

  it('runs the edge agent over mqtts with mqtt.caFile, and an agent without it never connects', async () => {
    const device = sys.devices[1]!;
    const agentDir = mkdtempSync(join(tmpdir(), 'attune-tls-agent-'));
    const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
    const log: AgentLogger = { info: () => {}, error: () => {}, warn: (msg, fields) => void warnings.push({ msg, fields }) };
    const agentConfig = (caFile: string | undefined, dataDir: string) => ({
      deviceId: device.deviceId,
      mqtt: { url: tlsUrl, username: device.deviceId, password: device.password, reconnectMs: 200, ...(caFile ? { caFile } : {}) },
      dataDir,
      windowMs: 1000,
      baselineWindows: 1,
      wearable: { kind: 'simulator' as const, seed: 3, episodes: [] },
    });
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
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
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

  it('refuses a client that does not trust the certificate', async () => {
    const error = await connectionError(tlsUrl, deviceOptions(device));
    expect((error as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('refuses TLS older than 1.2', async () => {
    expect((await oldTlsHandshake(tlsUrl)).message).toMatch(/protocol version|unsupported protocol/i);
  });

  it('gives a plaintext MQTT client on the TLS port no MQTT answer', async () => {
    const { bytesBack } = await plaintextConnect(tlsUrl);
    expect(bytesBack.length === 0 || bytesBack[0] === 21).toBe(true);
  });

  it('refuses a wrong device password over TLS', async () => {
    const error = await connectionError(tlsUrl, deviceOptions(device, { ca: certificate.cert, password: 'not-the-password' }));
    expect(error.message).toMatch(/Bad username or password|Not authorized/i);
  });
});
