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
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { randomSecret } from '@attune/server';
import { type Backend } from '../support/system.ts';
import { Child, childFile, quantile, summary, type DeviceCredential, type ThroughputWorkload } from './ingest/common.ts';

import { CONFIG, N, SERVER_CLIENT_ID, env, knobsSet, log, root } from './ingest/config.ts';
import {
  cpuDelta,
  machineInfo,
  provisionMosquittoDevices,
  round,
  startMosquitto,
  writeResults,
  type Mosquitto,
} from './ingest/processes.ts';
import { runAlertLatency, runEndToEnd, runPassthrough, type RefBroker, type ServerHandle } from './ingest/phases.ts';

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
const machine = machineInfo();
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
const { path: jsonPath, stamp } = writeResults('ingest', benchStarted, {
  machine,
  inputs,
  summary: tableJson,
  backends: backendResults,
});
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
