/** The load generator's output: a table on stdout and every raw figure as JSON in test/bench/results/. */
import { execFileSync } from 'node:child_process';
import { summary } from '../ingest/common.ts';
import { log, root } from '../ingest/config.ts';
import type { runPassthrough } from '../ingest/phases.ts';
import { machineInfo, round, writeResults } from '../ingest/processes.ts';
import type { analyseAlerts, analyseRows, analyseScoreEvents } from './analyse.ts';
import type { runPacedPassthrough } from './fleet.ts';
import { WINDOW_MS } from './plan.ts';

/** The code under test: HEAD and any uncommitted change to the server's packages when the run started. */
export function codeState(): { commit: string; uncommitted: string[] } {
  try {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
    const uncommitted = git('status', '--porcelain', '--', 'server', 'db', 'protocol').split('\n').filter(Boolean);
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommitted };
  } catch {
    return { commit: 'unknown', uncommitted: [] };
  }
}

export interface LoadReport {
  startedAt: Date;
  code: ReturnType<typeof codeState>;
  opts: Record<string, number>;
  versions: { postgres: string; mosquitto: string };
  wards: number;
  windows: number;
  passthrough: Awaited<ReturnType<typeof runPassthrough>>[];
  paced: Awaited<ReturnType<typeof runPacedPassthrough>>;
  run: {
    published: number;
    statusHeartbeats: number;
    acked: number;
    failed: number;
    generatorMaxLateMs: number;
    generatorCpuS: number[];
    steadySeconds: number;
    offeredPerS: number;
    storedPerS: number;
    drainAfterLastPublishS: number;
    bytesPerStoredWindow: number;
    storedTimeline: number[][];
    cpu: { wallS: number; cpuS: Record<string, number | null>; machineUtilisation: number; otherBusyS: number };
    rows: ReturnType<typeof analyseRows>;
    scoreEvents: ReturnType<typeof analyseScoreEvents>;
    alerts: ReturnType<typeof analyseAlerts>;
  };
}

const ms = (d: { n: number; p50: number; p99: number; max: number }) => `p50 ${d.p50}, p99 ${d.p99}, max ${d.max} (n=${d.n})`;

export function writeReport(r: LoadReport): void {
  const machine = machineInfo();
  const p = summary(r.passthrough.map((x) => x.msgPerS));
  const run = r.run;
  const a0 = run.alerts[0]!;
  // PostgreSQL backends of this run's database summed into one figure; the rest per process.
  const perProcess = new Map<string, number>();
  for (const [name, s] of Object.entries(run.cpu.cpuS)) {
    const key = name.startsWith('postgres backend ') ? 'postgres (this database)' : name;
    perProcess.set(key, (perProcess.get(key) ?? 0) + (s ?? 0));
  }
  const cpuShares = [...perProcess, ['other processes on the machine', run.cpu.otherBusyS] as const]
    .map(([name, s]) => `${name} ${round((100 * s) / run.cpu.wallS)}%`)
    .join(', ');
  const rows: [string, string][] = [
    [
      'setup',
      `${r.opts.beds} beds in ${r.wards} wards, ${r.opts.instances} instance(s), ${r.opts.minutes} min, warm-up ${r.opts.warmupS} s`,
    ],
    ['reference: burst passthrough msg/s', `${round(p.median)} (n=${p.n}, ${round(p.min)}–${round(p.max)})`],
    [
      'reference: paced passthrough lag ms',
      `p50 ${round(r.paced.lagMs.p50, 1)}, p99 ${round(r.paced.lagMs.p99, 1)} (${r.paced.received}/${r.paced.published})`,
    ],
    [
      'offered windows/s (steady state)',
      `${run.offeredPerS} (+ ${round(run.statusHeartbeats / ((r.windows * WINDOW_MS) / 1000), 1)} status heartbeats/s)`,
    ],
    ['stored windows/s (steady state)', `${run.storedPerS} (ratio to offered ${round(run.storedPerS / run.offeredPerS, 3)})`],
    ['lag publish -> received_at ms', ms(run.rows.receiveLagMs)],
    ...run.scoreEvents.map((s, i): [string, string] => [
      `lag publish -> dashboard (instance ${i + 1}) ms`,
      `${ms(s.lagMs)}; ${s.seen}/${s.expected} seen`,
    ]),
    ...run.alerts.map((al, i): [string, string] => [
      `alert latency (instance ${i + 1}) ms`,
      `${ms(al.latencyMs)}; expected ${al.expected}, missing ${al.missing}, duplicate ${al.duplicate}`,
    ]),
    ['unexpected possible-pain alerts', `${a0.possiblePain.observed} (expected ${a0.possiblePain.expected})`],
    ['rows lost / duplicated', `${run.rows.lost} / ${run.rows.duplicated} (of ${run.published} published, ${run.failed} failed)`],
    ['drain after last publish s', `${run.drainAfterLastPublishS}`],
    ['score_window bytes on disk per stored window', `${run.bytesPerStoredWindow}`],
    ['CPU during steady state (% of one core)', cpuShares],
    ['machine busy (steady state)', `${round(run.cpu.machineUtilisation * 100)}% of ${machine.cores} cores`],
    ['generator lateness max ms', `${run.generatorMaxLateMs}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);

  const { path } = writeResults('load', r.startedAt, {
    command: `npm run load -- --beds ${r.opts.beds} --minutes ${r.opts.minutes} --instances ${r.opts.instances}`,
    code: r.code,
    machine,
    versions: r.versions,
    inputs: { ...r.opts, wards: r.wards, windowsPerBed: r.windows },
    table: Object.fromEntries(rows),
    passthrough: r.passthrough,
    pacedPassthrough: r.paced,
    run: r.run,
  });
  log(`raw figures: ${path}`);
}
