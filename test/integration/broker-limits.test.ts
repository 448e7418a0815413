/**
 * The limits of the MQTT door, tried as an outsider would: an oversized CONNECT streamed by a client
 * that never authenticates, a connection that never sends CONNECT (or sends it a byte at a time),
 * and a device publishing far faster than any agent. The oversized packet runs against the whole
 * server (embedded broker always, Mosquitto too when MQTT_URL is set, configured as shipped); the
 * timeout and the rate cap use short limits on a real embedded broker started by the test.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { topics } from '@attune/protocol';
import { createLogger } from '@attune/server';
import { startEmbeddedBroker, type BrokerLimit, type EmbeddedBroker } from '@attune/server/broker';
import { backends, makeWindow, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

const MiB = 1024 * 1024;

/** MQTT 3.1.1 section 2.2.3: the remaining length, 7 bits per byte, least significant first. */
function remainingLength(bytes: number): Buffer {
  const out: number[] = [];
  do {
    let digit = bytes % 128;
    bytes = Math.floor(bytes / 128);
    if (bytes > 0) digit |= 0x80;
    out.push(digit);
  } while (bytes > 0);
  return Buffer.from(out);
}

function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with the milliseconds from now until the server closes the socket. */
function closedAfterMs(socket: Socket): Promise<number> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    socket.on('error', () => {}); // a reset from the server is the expected end
    socket.once('close', () => resolve(Date.now() - startedAt));
  });
}

/**
 * Sends a CONNECT header announcing `announcedBytes` and then streams zeros as fast as the server
 * takes them, until it closes the connection or everything announced was sent.
 */
async function streamOversizedConnect(url: string, announcedBytes: number) {
  const socket = await openSocket(url);
  const closed = closedAfterMs(socket);
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  let sentBytes = 0;
  const chunk = Buffer.alloc(64 * 1024);
  socket.write(Buffer.concat([Buffer.from([0x10]), remainingLength(announcedBytes)]));
  while (!isClosed && sentBytes < announcedBytes) {
    sentBytes += chunk.length;
    if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
  }
  return { closedAfterMs: await closed, sentBytes };
}

describe.each(backends())('the MQTT door on $label', (backend) => {
  let sys: TestSystem;
  const isEmbedded = !backend.mqttUrl;
  beforeAll(async () => {
    sys = await startTestSystem({ backend, beds: [{ consent: { camera: false, wearable: true } }] });
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('closes a 200 MB CONNECT from a client that never authenticates before buffering it, and devices still publish', async () => {
    const rssBefore = process.memoryUsage().rss;
    const result = await streamOversizedConnect(sys.mqttUrl, 200 * MiB);
    const rssAfter = process.memoryUsage().rss;
    console.info(
      `[${backend.label}] 200 MB CONNECT: closed after ${result.closedAfterMs} ms, ${(result.sentBytes / MiB).toFixed(2)} MiB written by the client; ` +
        `test-process (server) RSS ${(rssBefore / MiB).toFixed(1)} MiB -> ${(rssAfter / MiB).toFixed(1)} MiB`,
    );
    expect(result.closedAfterMs).toBeLessThan(2000);
    expect(result.sentBytes).toBeLessThan(32 * MiB);
    // The embedded broker runs in this process, so its memory is ours to measure.
    if (isEmbedded) expect(rssAfter - rssBefore).toBeLessThan(32 * MiB);

    const device = sys.devices[0]!;
    await sys.publishScores(device.deviceId, [makeWindow(device.deviceId, 1, new Date(), { distress: 0.2, confidence: 0.9 })]);
    await waitFor(
      async () =>
        (
          await sys.server.db.query<{ n: number }>(`select count(*)::int as n from score_window where device_id = $1`, [device.deviceId])
        )[0]!.n === 1,
      'the window published after the attack to be stored',
    );
  });

  it('closes a PUBLISH over the packet limit from an authenticated device', async () => {
    const device = sys.devices[0]!;
    const client = await sys.connectDevice(device.deviceId);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(topics.status(device.deviceId), Buffer.alloc(100 * 1024, 0x20), { qos: 1 });
    await closed;
    expect(client.connected).toBe(false);
  });
});

describe('embedded broker limits (short values)', () => {
  const logger = createLogger('error');
  const passwords = new Map([
    ['dev-fast', 'fast-secret'],
    ['dev-calm', 'calm-secret'],
  ]);
  const received: string[] = [];
  const limited: BrokerLimit[] = [];
  let broker: EmbeddedBroker;
  const connectTimeoutMs = 600;
  const packetsPerSecond = 20;
  const packetBurst = 10;

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      port: 0,
      host: '127.0.0.1',
      server: { username: 'attune-server', password: 'server-secret' },
      devices: {
        // 'dev-stuck' stands for a check that does not answer (e.g. the database is unreachable).
        verifyDevice: async (deviceId, password) =>
          deviceId === 'dev-stuck'
            ? new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 10_000).unref())
            : passwords.get(deviceId) === password,
      },
      deviceMessages: async (topic) => {
        received.push(topic);
      },
      logger,
      limits: { connectTimeoutMs, packetsPerSecond, packetBurst },
      onLimit: (limit) => limited.push(limit),
    });
  });
  afterAll(async () => {
    await broker?.close();
  });

  const connectClient = (username: string, password: string) =>
    mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: username, username, password, clean: true, reconnectPeriod: 0 });

  it('closes a connection that never sends CONNECT after the connect timeout', async () => {
    const socket = await openSocket(broker.url);
    const ms = await closedAfterMs(socket);
    console.info(`silent connection closed after ${ms} ms (connect timeout ${connectTimeoutMs} ms)`);
    // Measured from the client's side, which sees the connection open a little after the server does.
    expect(ms).toBeGreaterThanOrEqual(connectTimeoutMs - 200);
    expect(ms).toBeLessThan(connectTimeoutMs + 1000);
    expect(limited).toContain('connect_timeout');
  });

  it('closes a connection that streams its CONNECT a byte at a time and never finishes', async () => {
    const socket = await openSocket(broker.url);
    const closed = closedAfterMs(socket);
    socket.write(Buffer.concat([Buffer.from([0x10]), remainingLength(1000)]));
    const drip = setInterval(() => socket.writable && socket.write(Buffer.from([0])), 50);
    const ms = await closed;
    clearInterval(drip);
    expect(ms).toBeLessThan(connectTimeoutMs + 1000);
  });

  it('closes a connection whose CONNECT arrived but whose authentication does not complete within the connect timeout', async () => {
    const startedAt = Date.now();
    const client = mqtt.connect(broker.url, {
      protocolVersion: 4,
      clientId: 'dev-stuck',
      username: 'dev-stuck',
      password: 'x',
      reconnectPeriod: 0,
    });
    client.on('error', () => {});
    const outcome = await new Promise<string>((resolve) => {
      client.once('connect', () => resolve('connected'));
      client.once('close', () => resolve('closed'));
    });
    client.end(true);
    const ms = Date.now() - startedAt;
    expect(outcome).toBe('closed');
    expect(ms).toBeLessThan(connectTimeoutMs + 1000);
  });

  it('serves a device whose packets arrive split into single bytes', async () => {
    const mqttString = (text: string) => {
      const bytes = Buffer.from(text, 'utf8');
      return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
    };
    const packet = (firstByte: number, body: Buffer) => Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body]);
    // MQTT 3.1.1 sections 3.1 and 3.3: CONNECT (clean session, user name and password, keepalive 60 s), then a QoS 1 PUBLISH.
    const connectPacket = packet(
      0x10,
      Buffer.concat([
        mqttString('MQTT'),
        Buffer.from([4, 0xc2, 0, 60]),
        mqttString('dev-calm'),
        mqttString('dev-calm'),
        mqttString('calm-secret'),
      ]),
    );
    const publishPacket = packet(
      0x32,
      Buffer.concat([mqttString(topics.status('dev-calm')), Buffer.from([0x12, 0x34]), Buffer.alloc(300, 0x20)]),
    );
    const socket = await openSocket(broker.url);
    const answers: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => answers.push(chunk));
    const receivedBefore = received.length;
    for (const byte of Buffer.concat([connectPacket, publishPacket])) {
      socket.write(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 1));
    }
    await waitFor(async () => Buffer.concat(answers).length >= 8, 'CONNACK and PUBACK');
    // CONNACK accepted (0x20 0x02 0x00 0x00), then PUBACK for packet id 0x1234.
    expect([...Buffer.concat(answers)]).toEqual([0x20, 0x02, 0x00, 0x00, 0x40, 0x02, 0x12, 0x34]);
    expect(received.slice(receivedBefore)).toEqual([topics.status('dev-calm')]);
    socket.destroy();
  });

  it('keeps an authenticated device connected past the connect timeout', async () => {
    const client = await connectClient('dev-calm', 'calm-secret');
    await new Promise((r) => setTimeout(r, connectTimeoutMs + 300));
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('slows a device publishing far faster than the cap, loses none of its messages, and leaves other devices unaffected', async () => {
    const fast = await connectClient('dev-fast', 'fast-secret');
    const calm = await connectClient('dev-calm', 'calm-secret');
    const messages = 80;
    const rateBefore = limited.filter((l) => l === 'packet_rate').length;
    const receivedBefore = received.length;
    const startedAt = Date.now();
    const flood = Promise.all(
      Array.from({ length: messages }, () => fast.publishAsync(topics.status('dev-fast'), Buffer.from('{}'), { qos: 1 })),
    );
    // While the flood is held back, a calm device's message is acknowledged at once.
    await new Promise((r) => setTimeout(r, 300));
    const calmStartedAt = Date.now();
    await calm.publishAsync(topics.status('dev-calm'), Buffer.from('{}'), { qos: 1 });
    const calmAckMs = Date.now() - calmStartedAt;
    await flood;
    const floodMs = Date.now() - startedAt;
    console.info(
      `${messages} PUBLISH at once under a cap of ${packetsPerSecond}/s (burst ${packetBurst}): all acknowledged after ${floodMs} ms; calm device's PUBACK after ${calmAckMs} ms`,
    );
    // The burst lets the first packets through at once; the rest pass at the sustained rate.
    expect(floodMs).toBeGreaterThanOrEqual(((messages - packetBurst) / packetsPerSecond) * 1000 * 0.9);
    expect(received.length - receivedBefore).toBe(messages + 1);
    expect(calmAckMs).toBeLessThan(250);
    expect(limited.filter((l) => l === 'packet_rate').length).toBeGreaterThan(rateBefore);
    expect(fast.connected).toBe(true);
    await Promise.all([fast.endAsync(), calm.endAsync()]);
  });

  it("does not limit the rate of the server's own session", async () => {
    const server = await connectClient('attune-server', 'server-secret');
    const startedAt = Date.now();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => server.publishAsync(topics.consent(`dev-${i}`), Buffer.from('{}'), { qos: 1 })),
    );
    expect(Date.now() - startedAt).toBeLessThan(((200 - packetBurst) / packetsPerSecond) * 1000 * 0.5);
    await server.endAsync();
  });
});
