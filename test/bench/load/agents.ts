/**
 * Simulated bedside agents, one process for a slice of the beds. Each agent has its own MQTT
 * connection and credentials (client id = device id, MQTT 3.1.1, clean session, Last Will
 * `offline`), publishes a retained `online` status once connected, then one score window every
 * 5 s at its own phase, QoS 1, seq increasing, each window published at its `windowEnd` as the
 * real agent does. The windows' contents come from the plan (plan.ts).
 *
 * Protocol: parent sends the job; child answers 'ready' once every agent is connected; 'go'
 * carries t0 (epoch ms: window k of a bed ends at t0 + phase + (k+1) x 5 s); 'done' reports
 * each window's publish time (epoch ms, sub-millisecond, this machine's clock) and the counts.
 */
import { encodePayload, exampleDeviceStatus, nextHeartbeatDelayMs, STATUS_HEARTBEAT_MS, topics } from '@attune/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceConnectOptions } from '../../support/broker.ts';
import { firstMessage, reportErrors, type Msg } from '../ingest/common.ts';
import { nowMs, type AgentsJob } from './common.ts';
import { WINDOW_MS, windowFor, type BedPlan } from './plan.ts';

reportErrors();

const job = (await firstMessage()) as unknown as AgentsJob & Msg;
const status = (deviceId: string, state: 'online' | 'offline') =>
  encodePayload('status', { ...exampleDeviceStatus, deviceId, state, at: new Date().toISOString() });

const clients: MqttClient[] = [];
for (let i = 0; i < job.devices.length; i += 20) {
  const batch = job.devices.slice(i, i + 20);
  clients.push(
    ...(await Promise.all(
      batch.map((d) =>
        mqtt.connectAsync(
          job.mqttUrl,
          deviceConnectOptions(d, {
            connectTimeout: 30_000,
            will: { topic: topics.status(d.deviceId), payload: status(d.deviceId, 'offline'), qos: 1, retain: true },
          }),
        ),
      ),
    )),
  );
}
let closing = false;
clients.forEach((c, i) => {
  c.on('error', (e) => process.send!({ type: 'error', message: `mqtt (${job.devices[i]!.deviceId}): ${e.message}` }));
  c.on('close', () => {
    if (!closing) process.send!({ type: 'error', message: `mqtt (${job.devices[i]!.deviceId}): connection closed by the broker` });
  });
});
await Promise.all(
  clients.map((c, i) =>
    c.publishAsync(topics.status(job.devices[i]!.deviceId), status(job.devices[i]!.deviceId, 'online'), { qos: 1, retain: true }),
  ),
);
process.send!({ type: 'ready' });

const go = await firstMessage();
if (go.type === 'stop') process.exit(0);
const t0 = Number(go.t0);
const cpuBefore = process.cpuUsage();
const publishedAt = job.devices.map(() => new Array<number>(job.windows).fill(0));
let published = 0;
let acked = 0;
let failed = 0;
/** Largest delay between a window's due time and its publish: the generator's own lateness. */
let maxLateMs = 0;

// The real agent re-announces its retained `online` status every 16-20 s (nextHeartbeatDelayMs) as
// well: part of the load (the server stores each one and marks the device heard).
let statuses = 0;
const heartbeats = job.devices.map((device, i) => {
  let timer: NodeJS.Timeout | undefined;
  const beat = () => {
    statuses++;
    void clients[i]!.publishAsync(topics.status(device.deviceId), status(device.deviceId, 'online'), { qos: 1, retain: true }).catch(
      () => void failed++,
    );
    timer = setTimeout(beat, nextHeartbeatDelayMs());
  };
  timer = setTimeout(beat, Math.max(0, t0 + job.plans[i]!.phaseMs + STATUS_HEARTBEAT_MS - Date.now()));
  return () => clearTimeout(timer);
});

await Promise.all(
  job.devices.map(async (device, i) => {
    const plan = job.plans[i]!;
    const topic = topics.scores(device.deviceId);
    const acks: Promise<void>[] = [];
    for (let k = 0; k < job.windows; k++) {
      const endMs = t0 + plan.phaseMs + (k + 1) * WINDOW_MS;
      const wait = endMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const payload = encodePayload('scores', windowFor(plan as BedPlan, k, device.deviceId, job.seqBase + k + 1, endMs));
      const at = nowMs();
      maxLateMs = Math.max(maxLateMs, at - endMs);
      publishedAt[i]![k] = at;
      published++;
      acks.push(
        clients[i]!.publishAsync(topic, payload, { qos: 1 }).then(
          () => void acked++,
          () => void failed++,
        ),
      );
    }
    await Promise.all(acks);
  }),
);
for (const stop of heartbeats) stop();
process.send!({
  type: 'done',
  statuses,
  publishedAt,
  published,
  acked,
  failed,
  maxLateMs: Math.round(maxLateMs),
  cpu: process.cpuUsage(cpuBefore),
});
await firstMessage();
closing = true;
await Promise.all(clients.map((c) => c.endAsync().catch(() => {})));
process.exit(0);
