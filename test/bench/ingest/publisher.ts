/**
 * Publisher process: one MQTT connection per device (its own credentials, clientId = deviceId,
 * MQTT 3.1.1, clean session), QoS 1, at most `inflight` unacknowledged messages per connection.
 *
 *  - mode 'burst': every device publishes its pre-encoded windows as fast as PUBACKs allow. The
 *    first wave goes out round-robin (device 0..n-1, repeated `inflight` times), so the devices'
 *    messages are interleaved from the start.
 *  - mode 'load': a steady offered rate (msg/s) shared round-robin by the devices, each window
 *    stamped with the current time, until told to stop.
 *
 * Protocol: parent sends the job; child answers 'ready' once connected (and payloads encoded),
 * then 'go' starts publishing; 'done' reports times (epoch ms) and counts.
 */
import { encodePayload } from '@attune/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceConnectOptions } from '../../support/broker.ts';
import { makeWindow } from '../../support/system.ts';
import {
  CALM,
  encodeDeviceWindows,
  firstMessage,
  reportErrors,
  scoresTopic,
  type DeviceCredential,
  type Msg,
  type ThroughputWorkload,
} from './common.ts';

reportErrors();

interface Job {
  mode: 'burst' | 'load';
  mqttUrl: string;
  devices: DeviceCredential[];
  inflight: number;
  workload: ThroughputWorkload;
  /** load mode: offered messages per second. */
  rate?: number;
}

const job = (await firstMessage()) as unknown as Job & Msg;
const topicOf = scoresTopic;

const payloads = job.mode === 'burst' ? job.devices.map((d) => encodeDeviceWindows(d.deviceId, job.workload)) : [];

const clients: MqttClient[] = [];
for (let i = 0; i < job.devices.length; i += 20) {
  const batch = job.devices.slice(i, i + 20);
  clients.push(
    ...(await Promise.all(batch.map((d) => mqtt.connectAsync(job.mqttUrl, deviceConnectOptions(d, { connectTimeout: 30_000 }))))),
  );
}
let closing = false;
clients.forEach((c, i) => {
  c.on('error', (e) => process.send!({ type: 'error', message: `mqtt (${job.devices[i]!.deviceId}): ${e.message}` }));
  c.on('close', () => {
    if (!closing) process.send!({ type: 'error', message: `mqtt (${job.devices[i]!.deviceId}): connection closed by the broker` });
  });
});

process.send!({ type: 'ready', payloadBytes: payloads[0]?.[0]?.byteLength ?? null });
const go = await firstMessage();
if (go.type === 'stop') process.exit(0);

let firstPublishAt = 0;
let published = 0;
let acked = 0;
let failed = 0;
const cpuBefore = process.cpuUsage();

async function publish(client: MqttClient, topic: string, payload: Buffer) {
  if (firstPublishAt === 0) firstPublishAt = Date.now();
  published++;
  try {
    await client.publishAsync(topic, payload, { qos: 1 });
    acked++;
  } catch {
    failed++;
  }
}

if (job.mode === 'burst') {
  const cursor = job.devices.map(() => 0);
  const worker = async (d: number) => {
    const list = payloads[d]!;
    const topic = topicOf(job.devices[d]!.deviceId);
    while (cursor[d]! < list.length) {
      const p = list[cursor[d]!++]!;
      await publish(clients[d]!, topic, p);
    }
  };
  const workers: Promise<void>[] = [];
  for (let k = 0; k < job.inflight; k++) for (let d = 0; d < job.devices.length; d++) workers.push(worker(d));
  await Promise.all(workers);
  const lastAckAt = Date.now();
  process.send!({ type: 'done', firstPublishAt, lastAckAt, published, acked, failed, cpu: process.cpuUsage(cpuBefore) });
} else {
  // Steady offered load: a token bucket releasing `rate` publishes per second, round-robin over devices.
  const rate = job.rate!;
  const seq = job.devices.map(() => job.workload.seqBase);
  const lastEnd = job.devices.map(() => 0);
  const inflight = job.devices.map(() => 0);
  let stopped = false;
  process.once('message', () => (stopped = true));
  let d = 0;
  const startedAt = performance.now();
  let released = 0;
  while (!stopped) {
    const due = Math.floor(((performance.now() - startedAt) / 1000) * rate);
    while (released < due) {
      // Next device with a free in-flight slot (round-robin); if none, the offered load is not met.
      let tries = 0;
      while (inflight[d]! >= job.inflight && tries < job.devices.length) {
        d = (d + 1) % job.devices.length;
        tries++;
      }
      if (tries >= job.devices.length) break;
      const dev = job.devices[d]!;
      const end = Math.max(Date.now(), lastEnd[d]! + 1);
      lastEnd[d] = end;
      const payload = encodePayload('scores', makeWindow(dev.deviceId, ++seq[d]!, new Date(end), CALM));
      inflight[d]!++;
      const i = d;
      void publish(clients[i]!, topicOf(dev.deviceId), payload).then(() => inflight[i]!--);
      released++;
      d = (d + 1) % job.devices.length;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const stoppedAt = Date.now();
  const deadline = Date.now() + 30_000;
  while (acked + failed < published && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  process.send!({
    type: 'done',
    firstPublishAt,
    stoppedAt,
    lastAckAt: Date.now(),
    published,
    acked,
    failed,
    seqs: seq,
    cpu: process.cpuUsage(cpuBefore),
  });
}

closing = true;
await Promise.all(clients.map((c) => c.endAsync().catch(() => {})));
process.exit(0);
