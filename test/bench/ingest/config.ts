/** The ingest benchmark's workload and knobs (env BENCH_*, see test/bench/ingest.bench.ts). */
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../..', import.meta.url));
export const env = process.env;
export const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);

export const CONFIG = {
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
export const SERVER_CLIENT_ID = 'attune-bench-server';
export const N = CONFIG.devices * CONFIG.windowsPerDevice;
export const knobsSet = Object.keys(env).some((k) => k.startsWith('BENCH_') || k.startsWith('INGEST_BATCH_'));

export const log = (...args: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
