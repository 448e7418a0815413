/**
 * `npm run load -- --beds N --minutes M [--instances K]`: N simulated bedside agents with
 * realistic episodes against Attune running as K server processes that share one PostgreSQL
 * (a scratch database) and one Mosquitto (private, configured as shipped). Reports stored
 * windows/s over the steady state, lag (publish -> stored, publish -> on the dashboard), alert
 * latency p50/p99 with missing and duplicate alerts, and a broker-only reference from the same run.
 * Method and results: test/bench/SCALE.md.
 *
 * Options: --ward-size 24  --episode-fraction 0.1  --seed 1  --warmup-s 30  --reference-s 30
 *   --passthrough-repeats 3  --agents-per-process 500; env BENCH_ADMIN_DATABASE_URL.
 */
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { createScratchDatabaseUrl, dropScratchDatabase } from '@attune/db/testing';
import { randomSecret } from '@attune/server';
import { discardBrokerSession } from '../../support/broker.ts';
import { freePort } from '../../support/free-port.ts';
import { readMetric } from '../../support/metrics.ts';
import type { TestDevice } from '../../support/system.ts';
import { Child, sleep } from '../ingest/common.ts';
import { CONFIG, log } from '../ingest/config.ts';
import { ACCEPTED, runPassthrough, type RefBroker } from '../ingest/phases.ts';
import { cpuDelta, cpuSnapshot, provisionMosquittoDevices, round, startMosquitto, type Mosquitto } from '../ingest/processes.ts';
import { analyseAlerts, analyseRows, analyseScoreEvents, type StoredRow } from './analyse.ts';
import { loadChildFile } from './common.ts';
import { Fleet, runPacedPassthrough } from './fleet.ts';
import { planBeds, WINDOW_MS } from './plan.ts';
import { codeState, writeReport } from './report.ts';
import { openEventStream, type EventStream } from './streams.ts';

const { values: args } = parseArgs({
  options: {
    beds: { type: 'string', default: '200' },
    minutes: { type: 'string', default: '3' },
    instances: { type: 'string', default: '1' },
    'ward-size': { type: 'string', default: '24' },
    'episode-fraction': { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    'warmup-s': { type: 'string', default: '30' },
    'reference-s': { type: 'string', default: '30' },
    'passthrough-repeats': { type: 'string', default: '3' },
    'agents-per-process': { type: 'string', default: '500' },
  },
});
const opts = {
  beds: Number(args.beds),
  minutes: Number(args.minutes),
  instances: Number(args.instances),
  wardSize: Number(args['ward-size']),
  episodeFraction: Number(args['episode-fraction']),
  seed: Number(args.seed),
  warmupS: Number(args['warmup-s']),
  referenceS: Number(args['reference-s']),
  passthroughRepeats: Number(args['passthrough-repeats']),
  agentsPerProcess: Number(args['agents-per-process']),
};
for (const [name, v] of Object.entries(opts)) if (!Number.isFinite(v) || v < 0) throw new Error(`--${name}: not a number >= 0`);
const adminUrl = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const windows = Math.floor((opts.minutes * 60_000) / WINDOW_MS);
const warmupWindows = Math.ceil((opts.warmupS * 1000) / WINDOW_MS);
if (windows <= warmupWindows + 2) throw new Error('--minutes must leave a steady state after the warm-up');

const startedAt = new Date();
const code = codeState();
let mosquitto: Mosquitto | null = null;
let scratchUrl: string | null = null;
const children: Child[] = [];
let fleet: Fleet | null = null;
const streams: EventStream[] = [];
// Once only: an interrupt and the failing run it interrupts both ask for it.
let cleaning: Promise<void> | null = null;
const cleanup = () => (cleaning ??= cleanUp());
const cleanUp = async () => {
  for (const s of streams) s.close();
  await fleet?.stop().catch(() => {});
  await Promise.all(children.map((c) => c.stop(60_000).catch(() => {})));
  if (scratchUrl) await dropScratchDatabase(adminUrl, scratchUrl).catch((e: unknown) => log(`could not drop ${scratchUrl}: ${String(e)}`));
  await mosquitto?.stop();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));

try {
  const plans = planBeds({ beds: opts.beds, windows, warmupWindows, episodeFraction: opts.episodeFraction, seed: opts.seed });
  const expectedOpens = plans.reduce((a, p) => a + p.expectedDistressOpens.length, 0);
  log(`${opts.beds} beds, ${windows} windows each, ${plans.filter((p) => p.episode).length} episodes -> ${expectedOpens} alerts expected`);

  mosquitto = await startMosquitto();
  log(`${mosquitto.version} on ${mosquitto.url}`);
  scratchUrl = await createScratchDatabaseUrl(adminUrl);
  const brokerEnv = { MQTT_URL: mosquitto.url, MQTT_USERNAME: 'attune-server', MQTT_PASSWORD: mosquitto.password, MQTT_DYNSEC: 'true' };
  const serverEnv = { ...brokerEnv, DATABASE_URL: scratchUrl };

  // Seeding: a server of its own, gone before the measured instances start (its persistent
  // session subscribes to every scores topic, so it is discarded too).
  const seedStarted = Date.now();
  const seeder = new Child('seeder', loadChildFile('instance'));
  children.push(seeder);
  seeder.send({
    type: 'job',
    mode: 'seed',
    env: { ...serverEnv, MQTT_CLIENT_ID: 'attune-load-seeder' },
    beds: opts.beds,
    wardSize: opts.wardSize,
    secret: randomSecret(),
  });
  const seeded = await seeder.next('seeded', 3_600_000);
  await seeder.stop(60_000);
  children.pop();
  await discardBrokerSession(mosquitto.url, {
    MQTT_CLIENT_ID: 'attune-load-seeder',
    MQTT_USERNAME: 'attune-server',
    MQTT_PASSWORD: mosquitto.password,
  });
  const devices = seeded.devices as TestDevice[];
  const wards = (seeded.wards as string[]).length;
  log(`seeded ${devices.length} beds in ${wards} wards in ${round((Date.now() - seedStarted) / 1000)} s`);

  // Reference 1: the ingest benchmark's burst passthrough (its 200 devices x 250 windows), the broker's ceiling.
  const ref: RefBroker = {
    url: mosquitto.url,
    username: 'attune-server',
    password: mosquitto.password,
    clientId: 'attune-load-passthrough',
    pids: { mosquitto: mosquitto.pid },
    method: 'ingest benchmark passthrough (runPassthrough), same Mosquitto, before the server instances start',
  };
  const passDevices = await provisionMosquittoDevices(mosquitto.url, mosquitto.password, CONFIG.devices);
  const passthrough = [];
  for (let r = 0; r < opts.passthroughRepeats; r++) {
    const p = await runPassthrough(ref, passDevices, {
      perDevice: CONFIG.windowsPerDevice,
      seqBase: r * 1000,
      firstEndMs: Date.now(),
      spacingMs: CONFIG.windowSpacingMs,
    });
    passthrough.push(p);
    log(`  burst passthrough #${r + 1}: ${p.msgPerS} msg/s`);
  }
  // Reference 2: the same agents, paced as in the run, to a plain subscriber.
  const refWindows = Math.max(1, Math.min(windows, Math.round((opts.referenceS * 1000) / WINDOW_MS)));
  const paced = await runPacedPassthrough(ref, devices, plans, refWindows, opts.agentsPerProcess);
  log(
    `  paced passthrough: ${paced.received}/${paced.published}, lag p50 ${round(paced.lagMs.p50, 1)} ms, p99 ${round(paced.lagMs.p99, 1)} ms`,
  );

  // The system under load: K server processes, one after the other.
  const instances: { child: Child; baseUrl: string }[] = [];
  for (let i = 0; i < opts.instances; i++) {
    const child = new Child(`instance-${i + 1}`, loadChildFile('instance'));
    children.push(child);
    child.send({ type: 'job', mode: 'serve', env: { ...serverEnv, PORT: String(await freePort()), ATTUNE_INSTANCE_ID: `load-${i + 1}` } });
    const ready = await child.next('ready', 300_000);
    instances.push({ child, baseUrl: String(ready.baseUrl) });
    log(`instance load-${i + 1} ready at ${String(ready.baseUrl)}`);
  }
  for (const inst of instances) streams.push(await openEventStream(inst.baseUrl));
  const storedTotal = async () => (await Promise.all(instances.map((s) => readMetric(s.baseUrl, ...ACCEPTED)))).reduce((a, b) => a + b, 0);

  fleet = await Fleet.start(mosquitto.url, devices, plans, windows, 0, opts.agentsPerProcess);
  const pids: Record<string, number | undefined> = {
    mosquitto: mosquitto.pid,
    generator: process.pid,
    ...Object.fromEntries(instances.map((s) => [s.child.name, s.child.proc.pid])),
    ...fleet.pids,
  };
  // CPU of PostgreSQL: only the backends serving this run's database (the server is shared).
  const sql = postgres(scratchUrl, { max: 1, onnotice: () => {} });
  const backendPids = async () =>
    Object.fromEntries(
      (await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`).map(
        (r) => [`postgres backend ${r.pid}`, r.pid],
      ),
    );
  const t0 = Date.now() + 2000;
  fleet.go(t0);
  log(`run: ${opts.minutes} min, ${round(opts.beds / (WINDOW_MS / 1000), 1)} windows/s offered, warm-up ${opts.warmupS} s`);
  const warmEndMs = t0 + opts.warmupS * 1000;
  const runEndMs = t0 + windows * WINDOW_MS;
  const timeline: [number, number][] = [];
  let steady: { from: [number, number]; to: [number, number]; cpu: ReturnType<typeof cpuDelta> } | null = null;
  let cpuAtWarm: ReturnType<typeof cpuSnapshot> | null = null;
  let from: [number, number] | null = null;
  for (let next = t0; next <= runEndMs;) {
    await sleep(Math.max(0, next - Date.now()));
    const point: [number, number] = [Date.now(), await storedTotal()];
    timeline.push(point);
    if (next === warmEndMs) {
      from = point;
      Object.assign(pids, await backendPids());
      cpuAtWarm = cpuSnapshot(pids);
    }
    if (next === runEndMs) steady = { from: from!, to: point, cpu: cpuDelta(cpuAtWarm!, cpuSnapshot(pids)) };
    if (timeline.length % 6 === 0) log(`  t+${round((point[0] - t0) / 1000)} s: ${point[1]} stored`);
    next = [next + 5000, warmEndMs, runEndMs].filter((t) => t > next).sort((a, b) => a - b)[0]!;
  }
  const published = await fleet.finish(5 * 60_000);
  const lastPublishAt = [...published.publishedAt.values()].reduce((a, b) => Math.max(a, b), 0);
  // Drain: every window stored (or no progress for 30 s), then a moment for the last events.
  let drainedAt = NaN;
  for (let last = await storedTotal(), lastChange = Date.now(); ; await sleep(100)) {
    const now = await storedTotal();
    if (now !== last) [last, lastChange] = [now, Date.now()];
    if (now >= published.published) {
      drainedAt = Date.now();
      break;
    }
    if (Date.now() - lastChange > 30_000) break;
  }
  await sleep(3000);

  const stored = await sql<StoredRow[]>`
    select device_id as "deviceId", seq::int as seq, (extract(epoch from received_at) * 1000)::float8 as "receivedMs"
    from score_window where seq between 1 and ${windows}`;
  const version = (await sql<{ version: string }[]>`select version()`)[0]!.version;
  // On-disk bytes per stored window (table, indexes, TOAST; over every partition), for the capacity model.
  const storage = (
    await sql<{ bytes: number; rows: number }[]>`
      select coalesce(sum(pg_total_relation_size(c.oid)), 0)::float8 as bytes, (select count(*) from score_window)::int as rows
      from pg_class c where c.oid = 'score_window'::regclass or c.oid in (select inhrelid from pg_inherits where inhparent = 'score_window'::regclass)`
  )[0]!;
  await sql.end({ timeout: 5 });
  const facts = { devices, plans, windows, t0, publishedAt: published.publishedAt, stored: [...stored], streams };
  const rows = analyseRows(facts);
  const scoreEvents = analyseScoreEvents(facts);
  const alerts = analyseAlerts(facts);
  const steadyS = (steady!.to[0] - steady!.from[0]) / 1000;
  const offeredInSteady = [...published.publishedAt.values()].filter((at) => at >= steady!.from[0] && at < steady!.to[0]).length;

  writeReport({
    startedAt,
    code,
    opts,
    versions: { postgres: version.split(',')[0]!, mosquitto: mosquitto.version },
    wards,
    windows,
    passthrough,
    paced,
    run: {
      published: published.published,
      statusHeartbeats: published.statuses,
      acked: published.acked,
      failed: published.failed,
      generatorMaxLateMs: published.maxLateMs,
      generatorCpuS: published.cpuS,
      steadySeconds: round(steadyS, 1),
      offeredPerS: round(offeredInSteady / steadyS, 1),
      storedPerS: round((steady!.to[1] - steady!.from[1]) / steadyS, 1),
      drainAfterLastPublishS: round((drainedAt - lastPublishAt) / 1000, 2),
      bytesPerStoredWindow: round(storage.bytes / storage.rows),
      storedTimeline: timeline.map(([t, v]) => [round((t - t0) / 1000, 1), v]),
      cpu: steady!.cpu,
      rows,
      scoreEvents,
      alerts,
    },
  });
} finally {
  await cleanup();
}
process.exit(0);
