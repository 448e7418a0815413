/**
 * `npm run bench:storage`: do the board's and the timeline's reads of score_window keep their
 * latency as history grows? PostgreSQL only (DATABASE_URL): the question is about a hospital's
 * server, and the embedded PGlite is for one ward on one machine.
 *
 * In a scratch database (dropped at the end), migrated like a server's, a scaled-down hospital
 * (test/bench/storage/hospital.ts) is loaded in stages that add older history: first the newest
 * 10 days, then up to 30, then up to 90. After each stage the same queries run at the same "now"
 * with the same answers, so only the history behind them changes:
 *  - board: ScoreRepository.latest + .sparklines for one ward's current stays, in parallel as
 *    BoardService does (the ward's other reads do not touch score_window);
 *  - timeline: ScoreRepository.timeline for one stay, 6 h back (the dashboard's default) and 72 h
 *    (the most it asks), rotating over the ward's stays.
 * The reference is the first stage, measured in the same run: the table reports each stage's
 * p50 over it. EXPLAIN (ANALYZE, BUFFERS) of each query's own SQL (captured from the repository
 * call) shows which partitions it touches. Last, retention: one expired day dropped whole vs the
 * next day deleted row by row (what retention did before partitioning).
 *
 * Knobs (env): BENCH_BEDS=100 BENCH_CADENCE_S=30 BENCH_STAGES=10,30,90 BENCH_REPEATS=40
 * BENCH_WARD_BEDS=24. Writes test/bench/results/storage-<time>.json (every raw figure).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createDatabase, type Database } from '@attune/db';
import * as schema from '@attune/db/schema';
import { createScratchDatabaseUrl, dropScratchDatabase } from '@attune/db/testing';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { DataLifecycleRepository } from '../../../server/src/repositories/data-lifecycle.repository.ts';
import { utcDay } from '../../../server/src/repositories/score-partition.repository.ts';
import { ScoreRepository } from '../../../server/src/repositories/score.repository.ts';
import { percentile, round } from '../edge/stats.ts';
import { currentStays, insertDay, type Hospital } from './hospital.ts';

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl?.startsWith('postgres')) {
  console.error(
    'bench:storage needs PostgreSQL: set DATABASE_URL=postgres://... (a scratch database is created there and dropped after). ' +
      'The embedded PGlite is not what a hospital-sized store runs on, so it is not measured.',
  );
  process.exit(2);
}
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const BEDS = num('BENCH_BEDS', 100);
const CADENCE_S = num('BENCH_CADENCE_S', 30);
const STAGES = (process.env.BENCH_STAGES ?? '10,30,90').split(',').map(Number);
const REPEATS = num('BENCH_REPEATS', 40);
const WARD_BEDS = num('BENCH_WARD_BEDS', 24);
const DAYS = Math.max(...STAGES);
const DAY_MS = 86_400_000;
const today = new Date(`${utcDay(new Date())}T00:00:00Z`);
const hospital: Hospital = { beds: BEDS, cadenceS: CADENCE_S, end: today };
const log = (...args: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);

interface Explained {
  partitionsScanned: string[];
  planningMs: number;
  executionMs: number;
  sharedHit: number;
  sharedRead: number;
  plan: string;
}

/** The SQL a repository call sends, caught by a postgres.js client in debug mode, then EXPLAINed. */
async function explainCall(url: string, call: (scores: ScoreRepository) => Promise<unknown>): Promise<Explained> {
  const caught: { query: string; params: unknown[] }[] = [];
  const client = postgres(url, {
    max: 1,
    onnotice: () => {},
    fetch_types: false,
    debug: (_c, query, params) => caught.push({ query, params }),
  });
  try {
    const orm = drizzle(client, { schema, casing: 'snake_case' });
    await call(new ScoreRepository({ orm } as unknown as Database));
    const { query, params } = caught.at(-1)!;
    const [{ 'QUERY PLAN': json }] = (await client.unsafe(
      `explain (analyze, buffers, format json) ${query}`,
      params as never[],
    )) as never as [{ 'QUERY PLAN': [{ Plan: PlanNode; 'Planning Time': number; 'Execution Time': number }] }];
    const text = (await client.unsafe(`explain (analyze, buffers) ${query}`, params as never[])) as unknown as { 'QUERY PLAN': string }[];
    const relations = new Set<string>();
    const walk = (n: PlanNode) => {
      if (n['Relation Name']?.startsWith('score_window')) relations.add(n['Relation Name']);
      (n.Plans ?? []).forEach(walk);
    };
    walk(json[0]!.Plan);
    return {
      partitionsScanned: [...relations].sort(),
      planningMs: round(json[0]!['Planning Time'], 3),
      executionMs: round(json[0]!['Execution Time'], 3),
      sharedHit: json[0]!.Plan['Shared Hit Blocks'] ?? 0,
      sharedRead: json[0]!.Plan['Shared Read Blocks'] ?? 0,
      plan: text.map((r) => r['QUERY PLAN']).join('\n'),
    };
  } finally {
    await client.end({ timeout: 5 });
  }
}
interface PlanNode {
  'Relation Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

async function timeRuns(run: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await run(i); // warm-up: plans cached, pages in memory
  const ms: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    await run(i);
    ms.push(performance.now() - t);
  }
  return ms;
}

const stats = (ms: number[]) => ({
  p50: round(percentile(ms, 50)),
  p95: round(percentile(ms, 95)),
  min: round(Math.min(...ms)),
  max: round(Math.max(...ms)),
});

async function measureStage(db: Database, url: string, days: number, stays: string[]) {
  const scores = new ScoreRepository(db);
  const now = hospital.end;
  const sparkFrom = new Date(now.getTime() - 30 * 60_000);
  const from = (hours: number) => new Date(now.getTime() - hours * 3600_000);
  const queries: Record<string, { run: (s: ScoreRepository, i: number) => Promise<unknown[] | unknown> }> = {
    board: { run: (s) => Promise.all([s.latest(stays), s.sparklines(stays, sparkFrom)]) },
    'board: latest': { run: (s) => s.latest(stays) },
    'board: sparklines 30 min': { run: (s) => s.sparklines(stays, sparkFrom) },
    'timeline 6 h': { run: (s, i) => s.timeline(stays[i % stays.length]!, from(6)) },
    'timeline 72 h': { run: (s, i) => s.timeline(stays[i % stays.length]!, from(72)) },
  };
  const results: Record<string, { ms: number[]; rowsReturned: number; explain: Explained | null }> = {};
  for (const [name, q] of Object.entries(queries)) {
    const ms = await timeRuns((i) => q.run(scores, i));
    const answer = await q.run(scores, 0);
    const rowsReturned = Array.isArray(answer)
      ? name === 'board'
        ? answer.reduce((n: number, a: unknown[]) => n + a.length, 0)
        : answer.length
      : 0;
    const explain = name === 'board' ? null : await explainCall(url, (s) => q.run(s, 0) as Promise<unknown>);
    results[name] = { ms, rowsReturned, explain };
    log(
      `  ${days} d  ${name.padEnd(26)} p50 ${stats(ms).p50} ms  p95 ${stats(ms).p95} ms  rows ${rowsReturned}` +
        (explain ? `  partitions ${explain.partitionsScanned.length}  planning ${explain.planningMs} ms` : ''),
    );
  }
  return results;
}

async function main() {
  const url = await createScratchDatabaseUrl(adminUrl!);
  const db = await createDatabase({ url, maxConnections: 10 });
  const started = Date.now();
  const out: Record<string, unknown>[] = [];
  let retention: Record<string, number> | null = null;
  try {
    await db.migrate();
    const lifecycle = new DataLifecycleRepository(db);
    const partitions = lifecycle.scorePartitions;
    await partitions.ensure(Array.from({ length: DAYS }, (_, i) => utcDay(new Date(today.getTime() - (DAYS - i) * DAY_MS))));
    const stays = await currentStays(db, hospital, WARD_BEDS);
    let loadedDays = 0;
    for (const stage of STAGES) {
      const t = Date.now();
      let rows = 0;
      // Newest first: each stage adds history behind what was measured before.
      for (let d = DAYS - loadedDays - 1; d >= DAYS - stage; d--) rows += await insertDay(db, hospital, d, DAYS);
      loadedDays = stage;
      const loadS = (Date.now() - t) / 1000;
      const v = Date.now();
      await db.query('vacuum (analyze) score_window');
      const vacuumS = (Date.now() - v) / 1000;
      const [size] = await db.query<{ rows: number; bytes: number; partitions: number }>(
        `select (select count(*) from score_window)::float8 as rows,
                (select sum(pg_total_relation_size(inhrelid)) from pg_inherits where inhparent = 'score_window'::regclass)::float8 as bytes,
                (select count(*) from pg_inherits where inhparent = 'score_window'::regclass)::int as partitions`,
      );
      log(
        `stage ${stage} d: +${rows} rows in ${loadS.toFixed(0)} s (vacuum analyze ${vacuumS.toFixed(0)} s); total ${size!.rows} rows, ${(size!.bytes / 2 ** 30).toFixed(1)} GiB, ${size!.partitions} partitions`,
      );
      const queries = await measureStage(db, url, stage, stays);
      out.push({ days: stage, rowsAdded: rows, loadS, vacuumS, ...size, queries });
    }
    // Retention: the oldest day dropped whole, vs the next one deleted by row (the old way).
    const oldest = new Date(today.getTime() - DAYS * DAY_MS);
    let t = performance.now();
    const dropped = await partitions.dropEndingBy(new Date(oldest.getTime() + DAY_MS));
    const dropMs = performance.now() - t;
    t = performance.now();
    const deleted = await lifecycle.purgeBefore(new Date(oldest.getTime() + 2 * DAY_MS), oldest);
    const deleteMs = performance.now() - t;
    retention = { dropRows: dropped.rows, dropMs: round(dropMs), deleteRows: deleted.scoreWindows, deleteMs: round(deleteMs) };
    log(
      `retention: drop a day (${dropped.rows} rows) ${round(dropMs)} ms; delete a day by row (${deleted.scoreWindows} rows) ${round(deleteMs)} ms`,
    );
  } finally {
    await db.close();
    await dropScratchDatabase(adminUrl!, url);
  }
  report(out, retention, (Date.now() - started) / 1000);
}

function report(stages: Record<string, unknown>[], retention: Record<string, number> | null, totalS: number) {
  type Q = Record<string, { ms: number[]; rowsReturned: number; explain: Explained | null }>;
  const names = Object.keys(stages[0]!.queries as Q);
  const ref = (name: string) => percentile((stages[0]!.queries as Q)[name]!.ms, 50);
  const lines = [
    '| query | days | rows in table | p50 ms | p95 ms | min-max ms | p50 / first stage | rows returned | partitions in plan | planning ms |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const name of names)
    for (const s of stages) {
      const q = (s.queries as Q)[name]!;
      const st = stats(q.ms);
      lines.push(
        `| ${name} | ${String(s.days)} | ${(s.rows as number).toLocaleString('en')} | ${st.p50} | ${st.p95} | ${st.min}-${st.max} | ${round(percentile(q.ms, 50) / ref(name))} | ${q.rowsReturned} | ${q.explain?.partitionsScanned.length ?? '-'} | ${q.explain?.planningMs ?? '-'} |`,
      );
    }
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    loadAverage: os.loadavg().map((x) => round(x)),
  };
  console.log(`\n${lines.join('\n')}\n`);
  if (retention) console.log('retention', retention);
  console.log(`machine ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${Math.round(totalS)} s in all`);
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`storage-${new Date().toISOString().replaceAll(':', '-').slice(0, 19)}.json`, dir);
  writeFileSync(
    file,
    JSON.stringify(
      {
        machine,
        inputs: { beds: BEDS, cadenceS: CADENCE_S, stages: STAGES, repeats: REPEATS, wardBeds: WARD_BEDS, now: today },
        totalS,
        stages,
        retention,
      },
      null,
      2,
    ),
  );
  console.log(`wrote ${file.pathname}`);
}

await main();
