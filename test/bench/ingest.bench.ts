/**
 * `npm run bench:ingest`: MQTT ingest throughput and alert latency, each as a ratio to a
 * reference measured in the same run (see /docs of the design: benchmarks.md).
 *
 * For each backend (PostgreSQL + Mosquitto, then the embedded defaults PGlite + aedes):
 *  1. Reference: broker passthrough. One publisher process (200 device connections, each with
 *     its own credentials, 250 windows each = 50,000 QoS 1 messages, at most BENCH_INFLIGHT
 *     unacknowledged per connection) and one plain subscriber process (QoS 1, clean session,
 *     authenticated as the server identity) that counts arrivals. msg/s = N / (first publish ->
 *     N-th arrival). Same payloads and topics as end-to-end.
 *  2. End-to-end: the same publisher publishes the same windows to the Attune server (its own
 *     process, started by `startTestSystem`); stored windows/s = N / (first publish -> the server
 *     has stored N rows). Then the database is asked for lost and duplicated rows.
 *  3. Alert latency, under a steady background load from another publisher process.
 *
 * Knobs (env): BENCH_BACKENDS=postgres,embedded  BENCH_PASSTHROUGH_REPEATS=3  BENCH_E2E_REPEATS=3
 *   BENCH_INFLIGHT=10  BENCH_EPISODES=100  BENCH_LOAD_FRACTION=0.5  BENCH_ADMIN_DATABASE_URL
 *   INGEST_BATCH_MAX_ROWS / INGEST_BATCH_MAX_WAIT_MS (passed to the server)  BENCH_CPU_PROF=<dir>
 * RESULTS.md is rewritten only by a run with no knob set.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { encodePayload, subscriptions, topics } from '@attune/protocol';
import { createLogger, randomSecret } from '@attune/server';
import { toRuleWindow } from '@attune/server';
import { createDynsecAccounts } from '@attune/server/broker';
import { evaluateDistressWindow, initialDistressState } from '@attune/server/distress-rule';
import { readMetric } from '../support/metrics.ts';
import { makeEpisode, type Backend } from '../support/system.ts';
import {
  Child,
  childFile,
  commandCpuSeconds,
  machineCpuSeconds,
  processCpuSeconds,
  quantile,
  sleep,
  summary,
  type DeviceCredential,
  type Msg,
  type ThroughputWorkload,
} from './ingest/common.ts';
import { openAlertStream } from './ingest/sse.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);

const CONFIG = {
  devices: 200,
  windowsPerDevice: 250,
  inflightPerConnection: num('BENCH_INFLIGHT', 10),
  passthroughRepeats: num('BENCH_PASSTHROUGH_REPEATS', 4),
  e2eRepeats: Math.min(3, num('BENCH_E2E_REPEATS', 3)),
  episodes: num('BENCH_EPISODES', 100),
  episodeEveryMs: 100,
  episodeDevices: 100,
  loadFraction: num('BENCH_LOAD_FRACTION', 0.5),
  /** ...capped at this fraction of the measured end-to-end rate, so latency is not queue growth. */
  loadCap: num('BENCH_LOAD_CAP', 0.5),
  adminDatabaseUrl: env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  backends: (env.BENCH_BACKENDS ?? 'postgres,embedded').split(',').map((s) => s.trim()),
  serverEnv: {
    // Each simulated device sends its windows in one burst, far above a real agent's rate: lift the
    // embedded broker's per-client rate cap, which would otherwise be what is measured.
    MQTT_CLIENT_PACKETS_PER_S: '100000',
    MQTT_CLIENT_PACKET_BURST: '100000',
    ...Object.fromEntries(['INGEST_BATCH_MAX_ROWS', 'INGEST_BATCH_MAX_WAIT_MS'].filter((k) => env[k]).map((k) => [k, env[k]!])),
  } as Record<string, string>,
  /** windowEnd spacing of the throughput windows; 3 s lets three repeats fit in the stays' consented past. */
  windowSpacingMs: 3000,
};
const SERVER_CLIENT_ID = 'attune-bench-server';
const N = CONFIG.devices * CONFIG.windowsPerDevice;
const knobsSet = Object.keys(env).some((k) => k.startsWith('BENCH_') || k.startsWith('INGEST_BATCH_'));

const log = (...args: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);

// ---- helpers ----------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Mosquitto {
  url: string;
  pid: number;
  password: string;
  dir: string;
  version: string;
  stop(): Promise<void>;
}

async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(join(os.tmpdir(), 'attune-bench-mosquitto-'));
  const port = await freePort();
  const password = randomSecret();
  const r = spawnSync('bash', [join(root, 'scripts/mosquitto.sh'), dir, String(port), password], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`mosquitto.sh failed: ${r.stderr}`);
  const url = /MQTT_URL=(\S+)/.exec(r.stdout)?.[1];
  if (!url) throw new Error(`mosquitto.sh printed no MQTT_URL: ${r.stdout}`);
  const pid = Number(readFileSync(join(dir, 'mosquitto.pid'), 'utf8').trim());
  const version = spawnSync('mosquitto', ['-h'], { encoding: 'utf8' }).stdout.split('\n')[0]?.trim() ?? 'unknown';
  return {
    url,
    pid,
    password,
    dir,
    version,
    async stop() {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      // Mosquitto saves its persistence file on the way out: wait for it before removing its folder.
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await sleep(50);
      }
      try {
        const logText = readFileSync(join(dir, 'mosquitto.log'), 'utf8').trim();
        if (logText) console.log(`mosquitto.log:\n${logText.split('\n').slice(-20).join('\n')}`);
      } catch {
        // no log
      }
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/**
 * Device accounts for the passthrough reference on Mosquitto, created with the server's own
 * provisioning code (dynamic security: one client and role per device) from a throwaway session.
 * Ids have the same length as the server's test devices, so every packet has the same size.
 */
async function provisionMosquittoDevices(url: string, serverPassword: string, count: number): Promise<DeviceCredential[]> {
  const prefix = `t${randomSecret(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')
    .slice(0, 6)}`;
  const devices = Array.from({ length: count }, (_, i) => ({ deviceId: `${prefix}-bed-${i + 1}`, password: randomSecret() }));
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 4,
    clientId: 'attune-bench-provision',
    username: 'attune-server',
    password: serverPassword,
    clean: true,
    reconnectPeriod: 0,
  });
  try {
    const accounts = await createDynsecAccounts(client, 'attune-server', createLogger('error'));
    for (const d of devices) await accounts.provisionDevice(d.deviceId, d.password);
  } finally {
    await client.endAsync();
  }
  return devices;
}

/** CPU seconds used by each named process (and the whole machine) between two snapshots. */
function cpuSnapshot(pids: Record<string, number | undefined>, withPostgres = false) {
  const per: Record<string, number | null> = {};
  for (const [name, pid] of Object.entries(pids)) per[name] = pid ? processCpuSeconds(pid) : null;
  if (withPostgres) per['postgres (all backends)'] = commandCpuSeconds('postgres');
  return { at: Date.now(), per, machine: machineCpuSeconds() };
}
function cpuDelta(a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>) {
  const per: Record<string, number | null> = {};
  for (const name of Object.keys(a.per))
    per[name] = a.per[name] != null && b.per[name] != null ? +(b.per[name]! - a.per[name]!).toFixed(2) : null;
  const wall = (b.at - a.at) / 1000;
  const ours = Object.values(per).reduce<number>((sum, x) => sum + (x ?? 0), 0);
  return {
    wallS: +wall.toFixed(3),
    cpuS: per,
    machineBusyS: +(b.machine.busy - a.machine.busy).toFixed(2),
    /** Busy fraction of all cores. */
    machineUtilisation: +((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)).toFixed(3),
    /** Busy CPU not accounted to the processes above (exited publishers are counted by themselves; other users of this shared machine). */
    otherBusyS: +(b.machine.busy - a.machine.busy - ours).toFixed(2),
  };
}

const cpuOf = (m: Msg) => {
  const c = m.cpu as { user: number; system: number } | undefined;
  return c ? round((c.user + c.system) / 1e6, 2) : null;
};
const round = (x: number, d = 0) => (Number.isFinite(x) ? +x.toFixed(d) : x);

// ---- phases -----------------------------------------------------------------------------------

interface RefBroker {
  url: string;
  username: string;
  password: string;
  clientId: string;
  /** Processes whose CPU is accounted. */
  pids: Record<string, number | undefined>;
  method: string;
}

async function runPassthrough(ref: RefBroker, devices: DeviceCredential[], workload: ThroughputWorkload) {
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
      publisher: {
        published: done.published,
        acked: done.acked,
        failed: done.failed,
        lastAckAfterS: round((Number(done.lastAckAt) - firstPublishAt) / 1000, 3),
        cpuS: cpuOf(done),
      },
      cpu: cpuDelta(before, after),
    };
  } finally {
    await Promise.all([pub.stop(), sub.stop()]);
  }
}

interface ServerHandle {
  child: Child;
  baseUrl: string;
  mqttUrl: string;
  dbKind: string;
  devices: (DeviceCredential & { stayId: string })[];
  /** When seeding finished: stays were admitted 60 min and consent recorded 50 min before. */
  seededAt: number;
}

const ACCEPTED = ['attune_ingest_messages_total', { result: 'accepted' }] as const;

async function runEndToEnd(server: ServerHandle, extraPids: Record<string, number | undefined>, workload: ThroughputWorkload) {
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
      publisher: {
        published: done.published,
        acked: done.acked,
        failed: done.failed,
        lastAckAfterS: round((Number(done.lastAckAt) - firstPublishAt) / 1000, 3),
        cpuS: cpuOf(done),
      },
      /** [seconds since first publish, rows stored] as observed by the poller. */
      progress: progress.map(([t, v]) => [round((t - firstPublishAt) / 1000, 2), v]),
      cpu: cpuDelta(before, after),
    };
  } finally {
    await pub.stop();
  }
}

async function runAlertLatency(server: ServerHandle, loadRate: number) {
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
  for (const d of episodeDevices) {
    clients.push(
      await mqtt.connectAsync(server.mqttUrl, {
        protocolVersion: 4,
        clientId: d.deviceId,
        username: d.deviceId,
        password: d.password,
        clean: true,
        reconnectPeriod: 0,
      }),
    );
  }

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

// ---- one backend ------------------------------------------------------------------------------

async function runBackend(kind: string) {
  const started = Date.now();
  let mosquitto: Mosquitto | null = null;
  let server: Child | null = null;
  let bare: Child | null = null;
  const cleanup = async () => {
    await server?.stop(60_000).catch(() => {});
    await bare?.stop().catch(() => {});
    await mosquitto?.stop();
  };
  cleanups.add(cleanup);
  try {
    // Throughput windows lie in the stays' consented past (startTestSystem admits 60 min and records
    // consent 50 min before seeding); each repeat gets its own seq range and a later time slot, so
    // the alert rule sees ever newer windows, as in a real ward. Same shape and size in passthrough.
    const slot = (r: number, baseMs: number): ThroughputWorkload => ({
      perDevice: CONFIG.windowsPerDevice,
      seqBase: r * 1000,
      firstEndMs: baseMs - 2_900_000 + r * (CONFIG.windowsPerDevice * CONFIG.windowSpacingMs + 10_000),
      spacingMs: CONFIG.windowSpacingMs,
    });
    const passthrough: Awaited<ReturnType<typeof runPassthrough>>[] = [];
    const e2e: Awaited<ReturnType<typeof runEndToEnd>>[] = [];
    // Passthrough repeats bracket the end-to-end ones (half before, half after), so drift in the
    // machine's background load shows up in the reference too.
    const before = Math.ceil(CONFIG.passthroughRepeats / 2);
    const runPassthroughs = async (ref: RefBroker, devices: DeviceCredential[], count: number) => {
      for (let i = 0; i < count; i++) {
        const r = passthrough.length;
        const p = await runPassthrough(ref, devices, slot(r, Date.now()));
        passthrough.push(p);
        log(`  passthrough #${r + 1}: ${p.msgPerS} msg/s (${p.received}/${N} in ${p.seconds} s)`);
      }
    };
    const startAttune = async (backend: Backend, childEnv: Record<string, string>) => {
      log(`${backend.label}: starting the server and enrolling ${CONFIG.devices} devices…`);
      const profDir = env.BENCH_CPU_PROF;
      server = new Child('server', childFile('server'), {
        env: childEnv,
        execArgv: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
      });
      server.send({ type: 'job', backend, devices: CONFIG.devices, env: CONFIG.serverEnv });
      const ready = await server.next('ready', 300_000);
      const handle: ServerHandle = {
        child: server,
        baseUrl: String(ready.baseUrl),
        mqttUrl: String(ready.mqttUrl),
        dbKind: String(ready.dbKind),
        devices: ready.devices as ServerHandle['devices'],
        seededAt: Date.now(),
      };
      const dbVersion = ((await server.call({ type: 'query', sql: 'select version() as v' })).rows as { v: string }[])[0]!.v;
      log(`server ready at ${handle.baseUrl} (${dbVersion.split(',')[0]})`);
      return { handle, dbVersion, credentialHashes: ready.credentialHashes };
    };

    let backend: Backend;
    let ref: RefBroker;
    let attune: Awaited<ReturnType<typeof startAttune>>;
    let passthroughDevices: DeviceCredential[];
    if (kind === 'postgres') {
      mosquitto = await startMosquitto();
      log(`Mosquitto ${mosquitto.version} on ${mosquitto.url} (pid ${mosquitto.pid})`);
      backend = { label: 'PostgreSQL + Mosquitto', databaseUrl: CONFIG.adminDatabaseUrl, mqttUrl: mosquitto.url };
      // Passthrough first, before the Attune server exists: its persistent session subscribes to
      // every device's scores and would otherwise get (and, once gone, queue) the reference's messages.
      const devices = await provisionMosquittoDevices(mosquitto.url, mosquitto.password, CONFIG.devices);
      ref = {
        url: mosquitto.url,
        username: 'attune-server',
        password: mosquitto.password,
        clientId: 'attune-bench-passthrough',
        pids: { mosquitto: mosquitto.pid },
        method:
          "Same Mosquitto process as end-to-end, run before the Attune server starts and after it stopped (its persistent session subscribes to every scores topic, so the two cannot share the broker at once); devices provisioned with the server's own dynamic-security code; the subscriber authenticates as the server identity (attune-server) with its own client id.",
      };
      log(`${backend.label}: passthrough reference`);
      await runPassthroughs(ref, devices, before);
      passthroughDevices = devices;
      attune = await startAttune(backend, {
        MQTT_USERNAME: 'attune-server',
        MQTT_PASSWORD: mosquitto.password,
        MQTT_DYNSEC: 'true',
        MQTT_CLIENT_ID: SERVER_CLIENT_ID,
      });
    } else if (kind === 'embedded') {
      backend = { label: 'PGlite + embedded broker (aedes)', databaseUrl: undefined, mqttUrl: undefined };
      attune = await startAttune(backend, {});
      const serverPassword = randomSecret();
      bare = new Child('bare-broker', childFile('bare-broker'));
      bare.send({ type: 'job', serverUsername: 'attune-server', serverPassword, devices: attune.credentialHashes });
      const b = await bare.next('ready');
      ref = {
        url: String(b.url),
        username: 'attune-server',
        password: serverPassword,
        clientId: 'attune-server', // the embedded broker trusts the server by client id = server username
        pids: { broker: bare.proc.pid, server: server!.proc.pid },
        method:
          "Attune's embedded broker code (startEmbeddedBroker + createDeviceAuthenticator over the same devices' credential hashes) in a process of its own, because the running server's generated broker password is not exposed; the subscriber authenticates as the server identity. The (idle) Attune server process runs alongside. In end-to-end the broker shares the server's process and event loop, hands device messages to ingest in-process and acknowledges each to the publisher only once it is committed.",
      };
      log(`${backend.label}: passthrough reference`);
      await runPassthroughs(ref, attune.handle.devices, before);
      passthroughDevices = attune.handle.devices;
    } else throw new Error(`unknown backend ${kind}`);

    const { handle, dbVersion } = attune;
    for (let r = 0; r < CONFIG.e2eRepeats; r++) {
      const e = await runEndToEnd(handle, mosquitto ? { mosquitto: mosquitto.pid } : {}, slot(r, handle.seededAt));
      e2e.push(e);
      log(
        `  end-to-end #${r + 1}: ${e.storedPerS} windows/s (${e.distinct}/${N} in ${e.seconds} s, lost ${e.lost}, duplicated ${e.duplicated})`,
      );
    }

    const passthroughMedian = quantile(
      passthrough.map((p) => p.msgPerS),
      0.5,
    );
    const e2eMedian = quantile(
      e2e.map((p) => p.storedPerS),
      0.5,
    );
    const halfPassthrough = CONFIG.loadFraction * passthroughMedian;
    const sustainable = CONFIG.loadCap * e2eMedian;
    const loadRate = Math.min(halfPassthrough, sustainable);
    let latency: Awaited<ReturnType<typeof runAlertLatency>> | null = null;
    if (CONFIG.episodes > 0) {
      log(`  alert latency: ${CONFIG.episodes} episodes under ${round(loadRate)} msg/s background load…`);
      latency = await runAlertLatency(handle, loadRate);
      log(
        `  alert latency: p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms, max ${latency.maxMs} ms (${latency.alertsReceived}/${latency.episodes}; load ${latency.load.publishedPerS} msg/s)`,
      );
    }

    if (CONFIG.passthroughRepeats > before) {
      log(`${backend.label}: passthrough reference again`);
      if (mosquitto) {
        // Stop the server and discard its persistent session, which would otherwise queue every message.
        await server!.stop(60_000);
        server = null;
        await (
          await mqtt.connectAsync(mosquitto.url, {
            protocolVersion: 4,
            clientId: SERVER_CLIENT_ID,
            username: 'attune-server',
            password: mosquitto.password,
            clean: true,
            reconnectPeriod: 0,
          })
        ).endAsync();
      }
      await runPassthroughs(ref, passthroughDevices, CONFIG.passthroughRepeats - before);
    }
    return {
      kind,
      label: backend.label,
      database: dbVersion,
      broker: mosquitto ? mosquitto.version : 'aedes (embedded)',
      passthroughMethod: ref.method,
      passthrough,
      endToEnd: e2e,
      latency: latency && {
        ...latency,
        loadRule: `min(${CONFIG.loadFraction} x passthrough median = ${round(halfPassthrough)}, ${CONFIG.loadCap} x end-to-end median = ${round(sustainable)}) msg/s`,
      },
      wallSeconds: round((Date.now() - started) / 1000, 1),
    };
  } finally {
    await cleanup();
    cleanups.delete(cleanup);
  }
}

// ---- main -------------------------------------------------------------------------------------

const cleanups = new Set<() => Promise<void>>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([...cleanups].map((c) => c())).finally(() => process.exit(130));
  });
}

const benchStarted = new Date();
const machine = {
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  node: process.version,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  totalMemGiB: round(os.totalmem() / 2 ** 30, 1),
};
log(`ingest bench on ${machine.cpuModel} x${machine.cores}, node ${machine.node}`);
const backendResults = [];
for (const kind of CONFIG.backends) backendResults.push(await runBackend(kind));

// ---- report -----------------------------------------------------------------------------------

const fmt = (s: ReturnType<typeof summary>, d = 0) =>
  s.n === 0
    ? 'n/a'
    : s.n === 1
      ? `${round(s.median, d)}`
      : `${round(s.median, d)} (p95 ${round(s.p95, d)}, ${round(s.min, d)}–${round(s.max, d)})`;
const rows: string[][] = [];
const tableJson = [];
for (const b of backendResults) {
  const p = summary(b.passthrough.map((x) => x.msgPerS));
  const e = summary(b.endToEnd.map((x) => x.storedPerS));
  const ratio = e.median / p.median;
  // Passthrough repeats bracket the end-to-end ones: the ratio against each half shows drift.
  const half = Math.ceil(b.passthrough.length / 2);
  const vsBefore =
    e.median /
    quantile(
      b.passthrough.slice(0, half).map((x) => x.msgPerS),
      0.5,
    );
  const vsAfter =
    e.median /
    quantile(
      b.passthrough.slice(half).map((x) => x.msgPerS),
      0.5,
    );
  // Share of the machine's CPU used by processes outside the benchmark while it measured.
  const foreignShare = (x: { cpu: ReturnType<typeof cpuDelta>; publisher: { cpuS: number | null } }) =>
    (x.cpu.otherBusyS - (x.cpu.cpuS.publisher == null ? (x.publisher.cpuS ?? 0) : 0)) / (x.cpu.wallS * machine.cores);
  const foreign = [...b.passthrough.map(foreignShare), ...b.endToEnd.map(foreignShare)];
  const lost = b.endToEnd.reduce((a, x) => a + x.lost, 0);
  const dup = b.endToEnd.reduce((a, x) => a + x.duplicated, 0);
  rows.push([b.label, `passthrough msg/s (n=${p.n})`, fmt(p)]);
  rows.push(['', `stored windows/s (n=${e.n})`, fmt(e)]);
  rows.push([
    '',
    'ratio stored / passthrough',
    `${round(ratio, 2)} (vs passthrough before: ${round(vsBefore, 2)}, after: ${round(vsAfter, 2)})${b.kind === 'postgres' ? `; goal >= 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'}` : ''}`,
  ]);
  rows.push(['', 'lost / duplicated (all repeats)', `${lost} / ${dup}${lost === 0 && dup === 0 ? '' : '  <-- must be 0'}`]);
  if (b.latency) {
    rows.push([
      '',
      `alert latency ms (n=${b.latency.alertsReceived}/${b.latency.episodes})`,
      `p50 ${b.latency.p50Ms}, p99 ${b.latency.p99Ms}, max ${b.latency.maxMs}; goal p99 < 1000: ${b.latency.p99Ms < 1000 && b.latency.timeouts === 0 ? 'met' : 'NOT met'}`,
    ]);
    rows.push(['', 'background load during latency', `${b.latency.load.publishedPerS} msg/s offered (${b.latency.loadRule})`]);
  }
  rows.push(['', 'CPU used by other processes', `${round(quantile(foreign, 0.5) * 100)}% of the machine (median over the timed runs)`]);
  tableJson.push({
    backend: b.label,
    passthroughMsgPerS: p,
    storedWindowsPerS: e,
    ratio,
    ratioVsPassthroughBefore: vsBefore,
    ratioVsPassthroughAfter: vsAfter,
    foreignCpuShare: summary(foreign),
    lost,
    duplicated: dup,
    latency: b.latency && { p50Ms: b.latency.p50Ms, p99Ms: b.latency.p99Ms, maxMs: b.latency.maxMs },
  });
}
const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
const table = rows
  .map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  )
  .join('\n');
console.log(`\n${table}\n`);

const inputs = {
  devices: CONFIG.devices,
  windowsPerDevice: CONFIG.windowsPerDevice,
  messages: N,
  qos: 1,
  inflightPerConnection: CONFIG.inflightPerConnection,
  passthroughRepeats: CONFIG.passthroughRepeats,
  e2eRepeats: CONFIG.e2eRepeats,
  episodes: CONFIG.episodes,
  episodeEveryMs: CONFIG.episodeEveryMs,
  loadFraction: CONFIG.loadFraction,
  loadCap: CONFIG.loadCap,
  serverEnv: CONFIG.serverEnv,
  window:
    'wearable-only score window (makeWindow), distress 0.2 / confidence 0.8 for throughput and load; 13 windows of 0.9 / 0.8, 5 s apart, ending now, per episode',
};
const stamp = benchStarted
  .toISOString()
  .replaceAll(':', '-')
  .replace(/\.\d+Z$/, 'Z');
const resultsDir = join(root, 'test/bench/results');
mkdirSync(resultsDir, { recursive: true });
const jsonPath = join(resultsDir, `ingest-${stamp}.json`);
writeFileSync(
  jsonPath,
  JSON.stringify(
    { bench: 'ingest', startedAt: benchStarted.toISOString(), machine, inputs, summary: tableJson, backends: backendResults },
    null,
    2,
  ),
);
log(`raw figures: ${jsonPath}`);

if (!knobsSet && CONFIG.backends.length === 2) {
  const md = `# Ingest benchmark: latest results

Command: \`npm run bench:ingest\` (also \`npm run bench\`), run ${benchStarted.toISOString()}, ${round((Date.now() - benchStarted.getTime()) / 1000)} s in all.
Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemGiB} GiB, node ${machine.node}, ${machine.os}.
Raw figures: \`test/bench/results/ingest-${stamp}.json\` (not committed).

\`\`\`
${table}
\`\`\`

Figures: median (p95, min–max) across repeats.

## Method

- Workload: ${CONFIG.devices} devices, each its own MQTT connection with its own credentials (client id = device id, MQTT 3.1.1, clean session), ${CONFIG.windowsPerDevice} score windows each = ${N} QoS 1 messages, at most ${CONFIG.inflightPerConnection} unacknowledged per connection, first wave round-robin over devices. Payloads are encoded before the clock starts (${backendResults[0]?.passthrough[0]?.payloadBytes ?? '?'} bytes each).
- Reference, same run, same broker: passthrough. The same publisher process publishes the same windows to the same topics (\`attune/v2/devices/<id>/scores\`); one plain subscriber process (QoS 1, clean session, authenticated as the server identity) counts arrivals. msg/s = ${N} / (first publish → last arrival).
${backendResults.map((b) => `  - ${b.label}: ${b.passthroughMethod}`).join('\n')}
- End-to-end: the Attune server in its own process (\`startTestSystem\`: scratch PostgreSQL database or PGlite, ${CONFIG.devices} beds with an active stay and wearable consent, devices enrolled and provisioned); the publisher process publishes the same windows to \`scores\`. Stored windows/s = ${N} / (first publish → the server's accepted-rows counter reaches ${N}, polled every 50 ms on /metrics); then the database is asked: lost = expected − distinct (device_id, seq), duplicated = rows − distinct. Half the passthrough repeats run before the end-to-end repeats and half after (drift shows as a difference between the two ratios); the end-to-end repeats share one server, each with its own seq range and time slot. The first end-to-end repeat includes the server's cold device-context cache.
- CPU: each timed run records the CPU seconds of every benchmark process (and all PostgreSQL backends) from /proc; what the machine spent beyond them is other load on this shared machine, reported as a share.
- Alert latency: ${CONFIG.episodes} episodes, one every ${CONFIG.episodeEveryMs} ms on ${CONFIG.episodeDevices} distinct stays, while a separate publisher process offers a steady background load on the other ${CONFIG.devices - CONFIG.episodeDevices} devices (${CONFIG.loadFraction} × the passthrough rate, capped at ${CONFIG.loadCap} × the measured end-to-end rate: more than the server can store only measures a growing queue). Each episode publishes 13 windows (distress 0.9, confidence 0.8, 5 s apart, ending now) back to back; latency = publish of the window that the alert rule says crosses the open threshold → arrival of that stay's \`alert\` SSE event at a client signed in as a nurse.
`;
  writeFileSync(join(root, 'test/bench/RESULTS.md'), md);
  log('summary: test/bench/RESULTS.md');
} else {
  log('knobs set (BENCH_* / INGEST_BATCH_*) or not both backends: test/bench/RESULTS.md left unchanged');
}
process.exit(0);
