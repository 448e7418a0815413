/** The ingest benchmark's three measurements: broker passthrough, end to end, and alert latency under load. */
import mqtt, { type MqttClient } from 'mqtt';
import { encodePayload, subscriptions, topics } from '@attune/protocol';
import { toRuleWindow } from '@attune/server';
import { evaluateDistressWindow, initialDistressState } from '@attune/server/distress-rule';
import { readMetric } from '../../support/metrics.ts';
import { deviceConnectOptions } from '../../support/broker.ts';
import { makeEpisode } from '../../support/system.ts';
import { Child, childFile, quantile, sleep, type DeviceCredential, type Msg, type ThroughputWorkload } from './common.ts';
import { openAlertStream } from './sse.ts';

import { CONFIG, N } from './config.ts';
import { cpuDelta, cpuOf, cpuSnapshot, round } from './processes.ts';

export interface RefBroker {
  url: string;
  username: string;
  password: string;
  clientId: string;
  /** Processes whose CPU is accounted. */
  pids: Record<string, number | undefined>;
  method: string;
}

/** What the burst publisher reports at 'done': its counts, when its last PUBACK came, and its CPU. */
function publisherReport(done: Msg, firstPublishAt: number) {
  return {
    published: done.published,
    acked: done.acked,
    failed: done.failed,
    lastAckAfterS: round((Number(done.lastAckAt) - firstPublishAt) / 1000, 3),
    cpuS: cpuOf(done),
  };
}

export async function runPassthrough(ref: RefBroker, devices: DeviceCredential[], workload: ThroughputWorkload) {
  const sub = new Child('subscriber', childFile('subscriber'));
  const pub = new Child('publisher', childFile('publisher'));
  try {
    sub.send({
      type: 'job',
      mqttUrl: ref.url,
      username: ref.username,
      password: ref.password,
      clientId: ref.clientId,
      filter: subscriptions.allScores,
      expected: N,
    });
    pub.send({ type: 'job', mode: 'burst', mqttUrl: ref.url, devices, inflight: CONFIG.inflightPerConnection, workload });
    await sub.next('ready');
    const ready = await pub.next('ready', 180_000);
    const pids = { ...ref.pids, publisher: pub.proc.pid, subscriber: sub.proc.pid };
    const before = cpuSnapshot(pids);
    pub.send({ type: 'go' });
    const done = await pub.next('done', 300_000);
    let arrival: Msg;
    try {
      arrival = await sub.next('complete', 30_000);
    } catch {
      sub.send({ type: 'stop' });
      arrival = await sub.next('final');
    }
    const after = cpuSnapshot(pids);
    const firstPublishAt = Number(done.firstPublishAt);
    const lastArrivalAt = Number(arrival.lastAt);
    const received = Number(arrival.count);
    const seconds = (lastArrivalAt - firstPublishAt) / 1000;
    return {
      messages: N,
      received,
      lost: N - received,
      payloadBytes: ready.payloadBytes,
      seconds: round(seconds, 3),
      msgPerS: round(received === N ? N / seconds : NaN, 1),
      publisher: publisherReport(done, firstPublishAt),
      cpu: cpuDelta(before, after),
    };
  } finally {
    await Promise.all([pub.stop(), sub.stop()]);
  }
}

export interface ServerHandle {
  child: Child;
  baseUrl: string;
  mqttUrl: string;
  dbKind: string;
  devices: (DeviceCredential & { stayId: string })[];
  /** When seeding finished: stays were admitted 60 min and consent recorded 50 min before. */
  seededAt: number;
}

export const ACCEPTED = ['attune_ingest_messages_total', { result: 'accepted' }] as const;

export async function runEndToEnd(server: ServerHandle, extraPids: Record<string, number | undefined>, workload: ThroughputWorkload) {
  const pub = new Child('publisher', childFile('publisher'));
  try {
    const base = await readMetric(server.baseUrl, ...ACCEPTED);
    const dupBase = await readMetric(server.baseUrl, 'attune_ingest_duplicates_total');
    pub.send({
      type: 'job',
      mode: 'burst',
      mqttUrl: server.mqttUrl,
      devices: server.devices,
      inflight: CONFIG.inflightPerConnection,
      workload,
    });
    await pub.next('ready', 180_000);
    const pids = { ...extraPids, server: server.child.proc.pid, publisher: pub.proc.pid };
    const withPostgres = server.dbKind === 'postgres';
    const before = cpuSnapshot(pids, withPostgres);
    pub.send({ type: 'go' });
    // Completion: the server's accepted-rows counter (incremented once a batch INSERT has returned)
    // reaches N; polled every 50 ms over /metrics. The row count itself is checked once afterwards.
    let storedAt = 0;
    let stored = 0;
    let lastProgressAt = Date.now();
    const progress: [number, number][] = [];
    for (;;) {
      await sleep(50);
      const now = Date.now();
      const value = (await readMetric(server.baseUrl, ...ACCEPTED)) - base;
      if (value !== stored) {
        stored = value;
        lastProgressAt = now;
        progress.push([now, value]);
      }
      if (stored >= N) {
        storedAt = now;
        break;
      }
      if (now - lastProgressAt > 30_000) break;
    }
    const after = cpuSnapshot(pids, withPostgres);
    const done = await pub.next('done', 60_000);
    const firstPublishAt = Number(done.firstPublishAt);
    const [counts] = (
      await server.child.call({
        type: 'query',
        sql: `select count(*)::int as rows, count(distinct (device_id, seq))::int as "distinct" from score_window where device_id = any($1::text[]) and seq > $2 and seq <= $3`,
        params: [server.devices.map((d) => d.deviceId), workload.seqBase, workload.seqBase + workload.perDevice],
      })
    ).rows as { rows: number; distinct: number }[];
    const seconds = storedAt ? (storedAt - firstPublishAt) / 1000 : NaN;
    return {
      messages: N,
      rows: counts!.rows,
      distinct: counts!.distinct,
      lost: N - counts!.distinct,
      duplicated: counts!.rows - counts!.distinct,
      redeliveriesSeenByServer: (await readMetric(server.baseUrl, 'attune_ingest_duplicates_total')) - dupBase,
      seconds: round(seconds, 3),
      storedPerS: round(N / seconds, 1),
      publisher: publisherReport(done, firstPublishAt),
      /** [seconds since first publish, rows stored] as observed by the poller. */
      progress: progress.map(([t, v]) => [round((t - firstPublishAt) / 1000, 2), v]),
      cpu: cpuDelta(before, after),
    };
  } finally {
    await pub.stop();
  }
}

export async function runAlertLatency(server: ServerHandle, loadRate: number) {
  const login = await fetch(`${server.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'demo-nurse', password: 'demo-nurse' }),
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const stream = await openAlertStream(`${server.baseUrl}/api/events`, cookie);

  const episodeDevices = server.devices.slice(0, CONFIG.episodeDevices);
  const loadDevices = server.devices.slice(CONFIG.episodeDevices);
  const clients: MqttClient[] = [];
  for (const d of episodeDevices) clients.push(await mqtt.connectAsync(server.mqttUrl, deviceConnectOptions(d)));

  // Which of the 15 windows crosses the open threshold: ask the rule itself.
  const sample = makeEpisode('probe', 1, 15, new Date(), { distress: 0.9, confidence: 0.8 });
  let state = initialDistressState();
  let crossing = -1;
  for (const [i, w] of sample.entries()) {
    const r = evaluateDistressWindow(state, toRuleWindow(w, new Date(w.windowEnd)));
    state = r.state;
    if (r.decision?.type === 'open' && crossing < 0) crossing = i;
  }
  if (crossing < 0) throw new Error('the episode never opens an alert');

  const load = new Child('load-publisher', childFile('publisher'));
  const accepted0 = await readMetric(server.baseUrl, ...ACCEPTED);
  load.send({
    type: 'job',
    mode: 'load',
    rate: loadRate,
    mqttUrl: server.mqttUrl,
    devices: loadDevices,
    inflight: CONFIG.inflightPerConnection,
    workload: { perDevice: 0, seqBase: 100_000, firstEndMs: 0, spacingMs: 0 },
  });
  await load.next('ready', 180_000);
  load.send({ type: 'go' });
  const loadStartedAt = Date.now();
  await sleep(2000); // let the load settle before the first episode

  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: CONFIG.episodes }, async (_, e) => {
      await sleep(Math.max(0, t0 + e * CONFIG.episodeEveryMs - performance.now()));
      const device = episodeDevices[e % episodeDevices.length]!;
      const client = clients[e % episodeDevices.length]!;
      const windows = makeEpisode(device.deviceId, 200_000 + Math.floor(e / episodeDevices.length) * 100, 15, new Date(), {
        distress: 0.9,
        confidence: 0.8,
      });
      const payloads = windows.map((w) => encodePayload('scores', w));
      const arrival = stream.nextAlert(device.stayId, 'sustained_distress');
      let publishedAt = 0;
      const acks = payloads.map((p, i) => {
        if (i === crossing) publishedAt = performance.now();
        return client.publishAsync(topics.scores(device.deviceId), p, { qos: 1 });
      });
      const timeout = sleep(30_000).then(() => null);
      const got = await Promise.race([arrival, timeout]);
      await Promise.all(acks);
      return got
        ? { device: device.deviceId, latencyMs: round(got.at - publishedAt, 2), alertId: got.data.id }
        : { device: device.deviceId, latencyMs: null, alertId: null };
    }),
  );
  const episodesDoneAt = Date.now();
  load.send({ type: 'stop' });
  const loadDone = await load.next('done', 60_000);
  const accepted1 = await readMetric(server.baseUrl, ...ACCEPTED);
  await load.stop();
  stream.close();
  await Promise.all(clients.map((c) => c.endAsync().catch(() => {})));

  const latencies = results.map((r) => r.latencyMs).filter((x): x is number => x !== null);
  const loadSeconds = (Number(loadDone.stoppedAt) - Number(loadDone.firstPublishAt)) / 1000;
  return {
    episodes: CONFIG.episodes,
    crossingWindow: crossing + 1,
    alertsReceived: latencies.length,
    timeouts: results.length - latencies.length,
    p50Ms: round(quantile(latencies, 0.5), 1),
    p99Ms: round(quantile(latencies, 0.99), 1),
    maxMs: round(Math.max(...latencies), 1),
    latenciesMs: results.map((r) => r.latencyMs),
    load: {
      offeredPerS: round(loadRate, 0),
      publishedPerS: round(Number(loadDone.published) / loadSeconds, 0),
      published: loadDone.published,
      acked: loadDone.acked,
      storedDuringPhase: accepted1 - accepted0,
      phaseSeconds: round((episodesDoneAt - loadStartedAt) / 1000, 2),
    },
    sseEventsReceived: stream.counts,
  };
}
