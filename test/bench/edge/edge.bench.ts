/**
 * `npm run bench:edge`: Attune's face pipeline against the peer, @vladmandic/human 3.3.6 on its
 * WASM backend, on the same 640x480 frames in the same run. Each side runs in its own process
 * (so peak RSS is its own), one after the other, alternating over repeats so machine noise falls
 * on both. Per frame: stage times p50/p95, wall and CPU time, frames/s at 1 and 2 onnxruntime
 * threads, model-only time (sum of session.run) to expose pipeline overhead, peak RSS, and
 * expression top-class agreement on the same faces. Prints a table, writes JSON to
 * test/bench/results/ and the summary test/bench/EDGE_RESULTS.md.
 *
 *   npm run bench:edge [-- --repeats 2 --passes 3]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describeFfmpeg, findFfmpeg } from '@attune/edge-agent/camera';
import { PROTOCOL_EXPRESSION } from '@attune/edge-agent/face';
import type { ExpressionClass } from '@attune/models';
import { mean, percentile, round, type FrameTiming } from './stats.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const repeats = arg('repeats', 2);
const passes = arg('passes', 3);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

interface AttuneRun {
  threads: number;
  frames: number;
  perFrame: FrameTiming[];
  passTotalsMs: number[];
  top: (string | null)[];
  decodeMs: number[];
  maxRssKb: number;
}
interface PeerRun {
  version: string;
  backend: string;
  wasm: { simd: boolean; multithread: boolean };
  frames: number;
  totals: number[];
  cpus: number[];
  passTotalsMs: number[];
  /** Human's top emotion per frame of the first pass, in its own words (the FER2013 classes). */
  top: (string | null)[];
  maxRssKb: number;
}

function worker<T>(script: string, args: string[]): T {
  const r = spawnSync(process.execPath, ['--import', 'tsx', here(script), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    cwd: here('../../..'),
  });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as T;
}

const attune: Record<number, AttuneRun[]> = { 1: [], 2: [] };
const peer: PeerRun[] = [];
for (let rep = 0; rep < repeats; rep++) {
  process.stderr.write(`repeat ${rep + 1}/${repeats}: attune 1 thread… `);
  attune[1]!.push(worker<AttuneRun>('attune-worker.ts', ['1', String(passes)]));
  process.stderr.write('peer (wasm)… ');
  peer.push(worker<PeerRun>('peer-worker.ts', [String(passes)]));
  process.stderr.write('attune 2 threads…\n');
  attune[2]!.push(worker<AttuneRun>('attune-worker.ts', ['2', String(passes)]));
}

const STAGES = ['detect', 'landmarks', 'expression', 'indicators', 'fusion', 'total', 'model', 'cpu'] as const;
function attuneStats(runs: AttuneRun[]) {
  const all = runs.flatMap((r) => r.perFrame);
  const stage = Object.fromEntries(
    STAGES.map((k) => [
      k,
      {
        p50: round(
          percentile(
            all.map((f) => f[k]),
            50,
          ),
        ),
        p95: round(
          percentile(
            all.map((f) => f[k]),
            95,
          ),
        ),
      },
    ]),
  ) as Record<(typeof STAGES)[number], { p50: number; p95: number }>;
  // Frames/s from wall time of whole passes (sequential frames, as the agent processes them).
  const fpsPerRepeat = runs.map((r) => (r.frames * r.passTotalsMs.length * 1000) / r.passTotalsMs.reduce((s, x) => s + x, 0));
  const cpuFps = 1000 / mean(all.map((f) => f.cpu));
  const overheadShare = (mean(all.map((f) => f.total)) - mean(all.map((f) => f.model))) / mean(all.map((f) => f.total));
  return {
    stage,
    fps: round(percentile(fpsPerRepeat, 50), 1),
    fpsRange: [round(Math.min(...fpsPerRepeat), 1), round(Math.max(...fpsPerRepeat), 1)],
    cpuFps: round(cpuFps, 1),
    overheadShare: round(overheadShare, 3),
    peakRssMb: round(Math.max(...runs.map((r) => r.maxRssKb)) / 1024, 1),
    decode: {
      p50: round(
        percentile(
          runs.flatMap((r) => r.decodeMs),
          50,
        ),
      ),
      p95: round(
        percentile(
          runs.flatMap((r) => r.decodeMs),
          95,
        ),
      ),
    },
  };
}
const a1 = attuneStats(attune[1]!);
const a2 = attuneStats(attune[2]!);
const peerTotals = peer.flatMap((p) => p.totals);
const peerCpus = peer.flatMap((p) => p.cpus);
const peerFpsPerRepeat = peer.map((p) => (p.frames * p.passTotalsMs.length * 1000) / p.passTotalsMs.reduce((s, x) => s + x, 0));
const peerStats = {
  total: { p50: round(percentile(peerTotals, 50)), p95: round(percentile(peerTotals, 95)) },
  cpu: { p50: round(percentile(peerCpus, 50)), p95: round(percentile(peerCpus, 95)) },
  fps: round(percentile(peerFpsPerRepeat, 50), 1),
  fpsRange: [round(Math.min(...peerFpsPerRepeat), 1), round(Math.max(...peerFpsPerRepeat), 1)],
  cpuFps: round(1000 / mean(peerCpus), 1),
  peakRssMb: round(Math.max(...peer.map((p) => p.maxRssKb)) / 1024, 1),
};

// Expression agreement on the same faces: frames where both found a face, top class compared.
const ours = attune[1]![0]!.top;
const theirs = peer[0]!.top.map((e) => (e === null ? null : (PROTOCOL_EXPRESSION[e as ExpressionClass] ?? null)));
const both = ours.map((o, i) => [o, theirs[i]] as const).filter(([o, t]) => o !== null && t !== null);
const agree = both.filter(([o, t]) => o === t).length;
const agreement = both.length ? agree / both.length : 0;
const facesFound = { attune: ours.filter((o) => o !== null).length, peer: theirs.filter((t) => t !== null).length, frames: ours.length };

const goals = {
  speedup: { goal: '>= 3x the peer frames/s', wall: round(a1.fps / peerStats.fps, 2), cpu: round(a1.cpuFps / peerStats.cpuFps, 2) },
  agreement: { goal: '>= 99%', value: round(agreement * 100, 1) },
  overhead: { goal: '<= 30% of frame time outside session.run', value: round(a1.overheadShare * 100, 1) },
  rss: { goal: '< 300 MB', valueMb: a1.peakRssMb },
};
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  // The decode row depends on which ffmpeg build ran (the PATH's or the bundled one).
  ffmpeg: describeFfmpeg(findFfmpeg()),
  loadAverage: (await import('node:os')).loadavg().map((x) => round(x, 2)),
};

const row = (name: string, s: { p50: number; p95: number }, s2?: { p50: number; p95: number }, peerCell = '') =>
  `| ${name} | ${s.p50} / ${s.p95} | ${s2 ? `${s2.p50} / ${s2.p95}` : ''} | ${peerCell} |`;
const table = [
  `| per frame at 640x480, ms (p50 / p95) | Attune, 1 thread | Attune, 2 threads | peer: Human ${peer[0]!.version} ${peer[0]!.backend} (${peer[0]!.wasm.multithread ? 'multi' : 'single'}-threaded${peer[0]!.wasm.simd ? ', SIMD' : ''}) |`,
  '|---|---|---|---|',
  row('decode (ffmpeg -> RGB pipe, separate process)', a1.decode, a2.decode, 'same frames, not timed'),
  row('detect (resize + BlazeFace + decode/NMS)', a1.stage.detect, a2.stage.detect),
  row('landmarks (crop + FaceMesh)', a1.stage.landmarks, a2.stage.landmarks),
  row('expression (64x64 gray + FER)', a1.stage.expression, a2.stage.expression),
  row('indicators (AUs, pose, baseline)', a1.stage.indicators, a2.stage.indicators),
  row('fusion (per 10-frame window, per frame)', a1.stage.fusion, a2.stage.fusion),
  row('**total, wall**', a1.stage.total, a2.stage.total, `${peerStats.total.p50} / ${peerStats.total.p95}`),
  row('total, CPU time (user+sys)', a1.stage.cpu, a2.stage.cpu, `${peerStats.cpu.p50} / ${peerStats.cpu.p95}`),
  row('model only (sum of session.run)', a1.stage.model, a2.stage.model, '—'),
  `| frames/s, wall (median; min-max over repeats) | ${a1.fps} (${a1.fpsRange.join('-')}) | ${a2.fps} (${a2.fpsRange.join('-')}) | ${peerStats.fps} (${peerStats.fpsRange.join('-')}) |`,
  `| frames/s from CPU time | ${a1.cpuFps} | ${a2.cpuFps} | ${peerStats.cpuFps} |`,
  `| time outside session.run | ${round(a1.overheadShare * 100, 1)}% | ${round(a2.overheadShare * 100, 1)}% | — |`,
  `| peak RSS of the process | ${a1.peakRssMb} MB | ${a2.peakRssMb} MB | ${peerStats.peakRssMb} MB |`,
].join('\n');
const verdict = [
  `- speed: Attune 1 thread / peer = **${goals.speedup.wall}x** by wall time, **${goals.speedup.cpu}x** by CPU time (goal ${goals.speedup.goal})`,
  `- expression top class agrees on **${agree}/${both.length}** faces (${goals.agreement.value}%; goal ${goals.agreement.goal}); faces found: Attune ${facesFound.attune}/${facesFound.frames}, peer ${facesFound.peer}/${facesFound.frames}`,
  `- pipeline overhead: **${goals.overhead.value}%** of frame time outside session.run (goal ${goals.overhead.goal})`,
  `- peak RSS **${goals.rss.valueMb} MB** (goal ${goals.rss.goal})`,
].join('\n');
console.log(`\n${table}\n\n${verdict}\n`);

const stamp = new Date()
  .toISOString()
  .replace(/[:]/g, '-')
  .replace(/\.\d+Z$/, 'Z');
mkdirSync(here('../results'), { recursive: true });
const jsonPath = here(`../results/edge-${stamp}.json`);
writeFileSync(
  jsonPath,
  JSON.stringify(
    {
      machine,
      inputs: { frames: attune[1]![0]!.perFrame.slice(0, ours.length).map((f) => f.label), repeats, passes },
      goals,
      attune: { 1: a1, 2: a2 },
      peer: peerStats,
      agreement: { agree, compared: both.length, ours, theirs, facesFound },
      raw: { attune, peer },
    },
    null,
    1,
  ),
);
const md = `# Edge benchmark results

Command: \`npm run bench:edge\` (${repeats} repeats x ${passes} passes over ${ours.length} frames per side and thread count).
Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ffmpeg ${machine.ffmpeg}; load average at the end ${machine.loadAverage.join(' / ')}
(a shared machine: wall times carry other processes' load, CPU times much less so).
Raw figures: \`test/bench/results/edge-${stamp}.json\` (not committed).

Frames: two public-domain portraits (\`test/bench/edge/fixtures/README.md\`) at 10 placements, sizes, mirrorings and
exposures each, and 4 synthetic faces, 640x480. Both sides do per-frame full inference: face detection, 468-point
mesh and expression on every frame; the peer with \`cacheSensitivity: 0\`, \`skipFrames: 0\`, \`skipTime: 0\`, iris,
attention and every other model off. Its WASM backend runs single-threaded in Node (\`multithread: ${peer[0]!.wasm.multithread}\`:
tfjs-backend-wasm's threaded build needs a browser's cross-origin-isolated workers), so both Attune columns
compare with the same single-threaded peer.

${table}

${verdict}

Generated by the benchmark; rerun to refresh.
`;
writeFileSync(here('../EDGE_RESULTS.md'), md);
console.log(`wrote ${jsonPath} and test/bench/EDGE_RESULTS.md`);
