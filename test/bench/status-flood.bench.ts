/**
 * `npm run bench:status-flood`: how long a calm bed's windows wait while another device floods
 * statuses, as a ratio to the same bed's wait without the flood, measured in the same run.
 *
 * For each backend of `backends()` (the embedded defaults always; PostgreSQL + Mosquitto when
 * DATABASE_URL and MQTT_URL name them, as in CI), one server with two consented beds:
 *  1. Reference: the calm device publishes one window every 100 ms for FLOOD_S seconds (QoS 1) and
 *     records each window's publish -> PUBACK time. The server acknowledges only once stored.
 *  2. Flood: the same again, while the other device publishes statuses as fast as its connection
 *     takes them (at most FLOOD_IN_FLIGHT unacknowledged). The embedded broker's per-client cap is
 *     lifted, so the flood reaches ingest as it would through Mosquitto, which has none.
 * Reported, in both phases: the calm bed's publish -> PUBACK time and publish -> received by the
 * server (read back from the database, waiting up to 2 minutes for the windows to be stored), p50 /
 * p99 / max; the flood's statuses per second; and how many statuses were written to the history or
 * replaced before their wave.
 * Knobs (env): FLOOD_S=15  FLOOD_IN_FLIGHT=500  FLOOD_STATE=online|offline
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MqttClient } from 'mqtt';
import { encodePayload, exampleDeviceStatus, topics } from '@attune/protocol';
import { readMetric } from '../support/metrics.ts';
import { backends, makeWindow, startTestSystem, type TestSystem } from '../support/system.ts';
import { quantile } from './ingest/common.ts';
import { machineInfo, round, writeResults } from './ingest/processes.ts';

const FLOOD_S = Number(process.env.FLOOD_S ?? 15);
const FLOOD_IN_FLIGHT = Number(process.env.FLOOD_IN_FLIGHT ?? 500);
/** The state the flooding statuses claim: `offline` statuses wait for the device's earlier windows. */
const FLOOD_STATE: 'online' | 'offline' = process.env.FLOOD_STATE === 'offline' ? 'offline' : 'online';
const CALM_EVERY_MS = 100;
/** How long the calm bed's windows may take to be stored after a phase before the rest count as not stored. */
const STORED_WAIT_MS = 120_000;

/**
 * Publishes the calm device's windows every 100 ms for FLOOD_S s. Returns each one's publish ->
 * PUBACK time and its publish wall-clock time by seq. (Mosquitto acknowledges a publisher at once,
 * so only the time the server received each window, read back from the database, shows a queue
 * in front of the server.)
 */
async function calmWindows(client: MqttClient, deviceId: string, firstSeq: number) {
  const acks: Promise<number>[] = [];
  const publishedAtMs = new Map<number, number>();
  const count = (FLOOD_S * 1000) / CALM_EVERY_MS;
  for (let i = 0; i < count; i++) {
    const window = makeWindow(deviceId, firstSeq + i, new Date(), { distress: 0.2, confidence: 0.9 });
    const sentAt = performance.now();
    publishedAtMs.set(firstSeq + i, Date.now());
    acks.push(
      client.publishAsync(topics.scores(deviceId), encodePayload('scores', window), { qos: 1 }).then(() => performance.now() - sentAt),
    );
    await sleep(CALM_EVERY_MS);
  }
  return { pubackMs: await Promise.all(acks), publishedAtMs };
}

/** Publish -> received by the server (score_window.received_at), ms, once all are stored or after STORED_WAIT_MS. */
async function receivedAfterMs(sys: TestSystem, deviceId: string, publishedAtMs: Map<number, number>) {
  const deadline = Date.now() + STORED_WAIT_MS;
  const seqs = [...publishedAtMs.keys()];
  for (;;) {
    const rows = await sys.server.db.query<{ seq: number; receivedAtMs: number }>(
      `select seq::int as seq, (extract(epoch from received_at) * 1000)::float8 as "receivedAtMs"
         from score_window where device_id = $1 and seq between $2 and $3`,
      [deviceId, Math.min(...seqs), Math.max(...seqs)],
    );
    if (rows.length === seqs.length || Date.now() > deadline)
      return { stored: rows.length, sent: seqs.length, delaysMs: rows.map((r) => r.receivedAtMs - publishedAtMs.get(r.seq)!) };
    await sleep(250);
  }
}

/** Statuses as fast as the connection takes them until `until` settles; returns how many were acknowledged. */
async function flood(client: MqttClient, deviceId: string, until: Promise<unknown>): Promise<number> {
  let done = false;
  void until.finally(() => (done = true));
  let acknowledged = 0;
  const lane = async () => {
    for (let i = 0; !done; i++) {
      const status = { ...exampleDeviceStatus, deviceId, state: FLOOD_STATE, at: new Date().toISOString(), clockOffsetMs: i };
      await client.publishAsync(topics.status(deviceId), encodePayload('status', status), { qos: 1, retain: true });
      acknowledged++;
    }
  };
  await Promise.all(Array.from({ length: FLOOD_IN_FLIGHT }, lane));
  return acknowledged;
}

const latency = (values: number[]) => ({
  p50Ms: round(quantile(values, 0.5), 1),
  p99Ms: round(quantile(values, 0.99), 1),
  maxMs: round(Math.max(...values), 1),
});

async function runBackend(backend: ReturnType<typeof backends>[number]) {
  const sys: TestSystem = await startTestSystem({
    backend,
    beds: [{ consent: { camera: false, wearable: true } }, { consent: { camera: false, wearable: true } }],
    env: { MQTT_CLIENT_PACKETS_PER_S: '100000', MQTT_CLIENT_PACKET_BURST: '100000' },
  });
  try {
    const [flooding, calm] = [sys.devices[0]!, sys.devices[1]!];
    const calmClient = await sys.connectDevice(calm.deviceId);
    const floodClient = await sys.connectDevice(flooding.deviceId);
    const alone = await calmWindows(calmClient, calm.deviceId, 1);
    const aloneReceived = await receivedAfterMs(sys, calm.deviceId, alone.publishedAtMs);
    const replacedBefore = await readMetric(sys.baseUrl, 'attune_ingest_statuses_replaced_total');
    const startedAt = performance.now();
    const during = calmWindows(calmClient, calm.deviceId, 100_000);
    const statuses = await flood(floodClient, flooding.deviceId, during);
    const floodS = (performance.now() - startedAt) / 1000;
    const flooded = await during;
    const floodedReceived = await receivedAfterMs(sys, calm.deviceId, flooded.publishedAtMs);
    const [reference, underFlood] = [alone.pubackMs, flooded.pubackMs];
    const [{ rows }] = (await sys.server.db.query<{ rows: number }>(
      `select count(*)::int as rows from device_status_history where device_id = $1`,
      [flooding.deviceId],
    )) as [{ rows: number }];
    const replaced = (await readMetric(sys.baseUrl, 'attune_ingest_statuses_replaced_total')) - replacedBefore;
    return {
      backend: backend.label,
      reference: latency(reference),
      underFlood: latency(underFlood),
      p99Ratio: round(quantile(underFlood, 0.99) / quantile(reference, 0.99), 2),
      receivedAlone: { ...latency(aloneReceived.delaysMs), stored: aloneReceived.stored, sent: aloneReceived.sent },
      receivedUnderFlood: { ...latency(floodedReceived.delaysMs), stored: floodedReceived.stored, sent: floodedReceived.sent },
      floodStatusesPerS: Math.round(statuses / floodS),
      statusesWritten: rows,
      statusesReplaced: replaced,
      raw: { referenceMs: reference.map((v) => round(v, 2)), underFloodMs: underFlood.map((v) => round(v, 2)) },
    };
  } finally {
    await sys.stop();
  }
}

const started = new Date();
const results = [];
for (const backend of backends()) results.push(await runBackend(backend));
console.info(`\nstatus flood: calm bed's window publish -> PUBACK, ms (one window / ${CALM_EVERY_MS} ms for ${FLOOD_S} s per phase)`);
console.table(
  results.map((r) => ({
    backend: r.backend,
    'PUBACK alone p50/p99/max': `${r.reference.p50Ms} / ${r.reference.p99Ms} / ${r.reference.maxMs}`,
    'PUBACK under flood p50/p99/max': `${r.underFlood.p50Ms} / ${r.underFlood.p99Ms} / ${r.underFlood.maxMs}`,
    'PUBACK p99 ratio': r.p99Ratio,
    'received alone p50/p99/max': `${r.receivedAlone.p50Ms} / ${r.receivedAlone.p99Ms} / ${r.receivedAlone.maxMs}`,
    'received under flood p50/p99/max (stored/sent)': `${r.receivedUnderFlood.p50Ms} / ${r.receivedUnderFlood.p99Ms} / ${r.receivedUnderFlood.maxMs} (${r.receivedUnderFlood.stored}/${r.receivedUnderFlood.sent})`,
    'flood statuses/s': r.floodStatusesPerS,
    'written / replaced': `${r.statusesWritten} / ${r.statusesReplaced}`,
  })),
);
const { path } = writeResults('status-flood', started, {
  machine: machineInfo(),
  floodS: FLOOD_S,
  floodInFlight: FLOOD_IN_FLIGHT,
  results,
});
console.info(`results: ${path}`);
process.exit(0);
