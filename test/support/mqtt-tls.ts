/** Helpers for the MQTT-over-TLS tests: a throwaway certificate, device connections, and the refusals every TLS listener must make. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { expect, it } from 'vitest';
import mqtt, { type IClientOptions } from 'mqtt';
import { generate } from 'selfsigned';
import { encodePayload, topics } from '@attune/protocol';
import type { RunningServer } from '@attune/server';
import { deviceConnectOptions } from './broker.ts';
import { makeWindow, type TestDevice } from './system.ts';

export interface TestCertificate {
  dir: string;
  certPath: string;
  keyPath: string;
  cert: Buffer;
}

/** A self-signed certificate for the loopback (127.0.0.1, ::1, localhost), valid for a day. */
export async function selfSignedCertificate(): Promise<TestCertificate> {
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

export function deviceOptions(device: TestDevice, extra: IClientOptions = {}): IClientOptions {
  return deviceConnectOptions(device, { connectTimeout: 10_000, ...extra });
}

/** Connects over TLS trusting `ca`, publishes one window (QoS 1, waits for its PUBACK), and reports the TLS version used. */
export async function publishOverTls(
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
export async function connectionError(url: string, options: IClientOptions): Promise<Error> {
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
export function plaintextConnect(url: string): Promise<{ bytesBack: Buffer }> {
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
export function oldTlsHandshake(url: string, ca: Buffer): Promise<Error> {
  const { hostname, port } = new URL(url);
  return new Promise<Error>((resolve) => {
    const socket: TLSSocket = connectTls({
      host: hostname,
      port: Number(port),
      ca,
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

export const storedWindows = async (server: RunningServer, deviceId: string) =>
  Number((await server.db.query<{ n: number }>(`select count(*)::int as n from score_window where device_id = $1`, [deviceId]))[0]!.n);

/**
 * What every TLS listener must refuse: a client that does not trust the certificate, TLS older
 * than 1.2, plaintext MQTT on the TLS port, and a wrong device password. `target` is read when
 * the tests run (after the suite's beforeAll).
 */
export function itRefusesOverTls(target: () => { tlsUrl: string; device: TestDevice; cert: Buffer }): void {
  it('refuses a client that does not trust the certificate (the handshake fails, nothing is sent)', async () => {
    const { tlsUrl, device } = target();
    const error = await connectionError(tlsUrl, deviceOptions(device));
    expect((error as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('refuses TLS older than 1.2', async () => {
    expect((await oldTlsHandshake(target().tlsUrl, target().cert)).message).toMatch(/protocol version|unsupported protocol/i);
  });

  it('gives a plaintext MQTT client on the TLS port no MQTT answer', async () => {
    const { bytesBack } = await plaintextConnect(target().tlsUrl);
    // A TLS alert at most (record type 21), never a CONNACK (0x20).
    expect(bytesBack.length === 0 || bytesBack[0] === 21).toBe(true);
  });

  it('refuses a wrong device password over TLS', async () => {
    const { tlsUrl, device, cert } = target();
    const error = await connectionError(tlsUrl, deviceOptions(device, { ca: cert, password: 'not-the-password' }));
    expect(error.message).toMatch(/Bad username or password|Not authorized/i);
  });
}
