/**
 * The passthrough reference's subscriber: one plain MQTT client (MQTT 3.1.1, clean session,
 * QoS 1 subscription) authenticated as the server identity, counting arrivals. Reports the
 * wall time (epoch ms) of the first and the `expected`-th arrival.
 */
import mqtt from 'mqtt';
import { firstMessage, reportErrors, type Msg } from './common.ts';

reportErrors();

interface Job {
  mqttUrl: string;
  username: string;
  password: string;
  clientId: string;
  filter: string;
  expected: number;
}
const job = (await firstMessage()) as unknown as Job & Msg;

const client = await mqtt.connectAsync(job.mqttUrl, {
  protocolVersion: 4,
  clientId: job.clientId,
  username: job.username,
  password: job.password,
  clean: true,
  reconnectPeriod: 0,
});
const granted = await client.subscribeAsync(job.filter, { qos: 1 });
if (granted[0]?.qos !== 1) throw new Error(`subscription refused: ${JSON.stringify(granted)}`);

let count = 0;
let firstAt = 0;
let lastAt = 0;
const cpuBefore = process.cpuUsage();
client.on('message', () => {
  const now = Date.now();
  if (count === 0) firstAt = now;
  count++;
  lastAt = now;
  if (count === job.expected) process.send!({ type: 'complete', firstAt, lastAt, count, cpu: process.cpuUsage(cpuBefore) });
});
process.send!({ type: 'ready' });

process.on('message', (m: Msg) => {
  if (m.type !== 'stop') return;
  process.send!({ type: 'final', firstAt, lastAt, count, cpu: process.cpuUsage(cpuBefore) });
  void client.endAsync().finally(() => process.exit(0));
});
