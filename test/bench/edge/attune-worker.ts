/**
 * Benchmark worker: Attune's face pipeline in its own process (so its peak RSS is its own), at a
 * given onnxruntime thread count. Prints one JSON line on stdout.
 */
import { spawn } from 'node:child_process';
import {
  EXPRESSION_KEYS,
  FaceModels,
  FacePipeline,
  summariseFaceWindow,
  type FrameAnalysis,
  type StageTimings,
} from '@attune/edge-agent/face';
import { ffmpegPath, type RgbFrame } from '@attune/edge-agent/camera';
import { fuse, SignPersistence } from '@attune/edge-agent/fusion';
import { benchFrames, HEIGHT, WIDTH } from './frames.ts';
import type { FrameTiming } from './stats.ts';

const threads = Number(process.argv[2] ?? 1);
const passes = Number(process.argv[3] ?? 3);
const frames = benchFrames();
const rgb: RgbFrame[] = frames.map((f) => ({ width: WIDTH, height: HEIGHT, data: f.data, tMs: 0 }));

/** ffmpeg decode + scale of a 640x480 video into the RGB pipe, as the camera source runs it: ms between frames. */
async function decodeIntervals(): Promise<number[]> {
  // Encode the bench frames (x3) as a video in memory, then decode it through the same pipe the agent reads.
  const enc = spawn(
    ffmpegPath(),
    [
      '-loglevel',
      'error',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${WIDTH}x${HEIGHT}`,
      '-r',
      '10',
      '-i',
      'pipe:0',
      '-c:v',
      'mpeg4',
      '-q:v',
      '4',
      '-f',
      'avi',
      'pipe:1',
    ],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  const chunks: Buffer[] = [];
  enc.stdout.on('data', (c: Buffer) => chunks.push(c));
  const encoded = new Promise<void>((r) => enc.once('close', () => r()));
  for (let k = 0; k < 3; k++) for (const f of frames) enc.stdin.write(f.data);
  enc.stdin.end();
  await encoded;
  const video = Buffer.concat(chunks);
  const dec = spawn(
    ffmpegPath(),
    [
      '-loglevel',
      'error',
      '-f',
      'avi',
      '-i',
      'pipe:0',
      '-vf',
      `scale=${WIDTH}:${HEIGHT},format=rgb24`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  const frameBytes = WIDTH * HEIGHT * 3;
  let got = 0;
  const times: number[] = [];
  dec.stdout.on('data', (c: Buffer) => {
    const before = Math.floor(got / frameBytes);
    got += c.length;
    for (let i = before; i < Math.floor(got / frameBytes); i++) times.push(performance.now());
  });
  const done = new Promise<void>((r) => dec.once('close', () => r()));
  dec.stdin.end(video);
  await done;
  return times.slice(1).map((t, i) => t - times[i]!);
}

const models = await FaceModels.load({ threads });
const pipeline = new FacePipeline(models, { baselineFrames: 5 });
// Warm-up beyond the models' own: JIT the JS paths and let the baseline form.
for (const f of rgb.slice(0, 8)) await pipeline.analyse(f);
models.takeModelMs();

const perFrame: FrameTiming[] = [];
const top: (string | null)[] = [];
const passTotalsMs: number[] = [];
const persistence = new SignPersistence();
for (let pass = 0; pass < passes; pass++) {
  const passStart = performance.now();
  let window: FrameAnalysis[] = [];
  for (const [i, f] of rgb.entries()) {
    const t: StageTimings = { detect: 0, landmarks: 0, expression: 0, indicators: 0 };
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const a = await pipeline.analyse(f, t);
    window.push(a);
    // Fusion runs once per window (10 frames at 2 fps x 5 s); its cost is spread over the window's frames.
    let fusion = 0;
    if (window.length === 10 || i === rgb.length - 1) {
      const tf = performance.now();
      const face = summariseFaceWindow(window, pipeline.baseline.isReady());
      fuse({
        wearableConsented: false,
        cameraConsented: true,
        wearable: null,
        weights: [],
        face,
        persistence,
        windowStartMs: 0,
        windowEndMs: 5000,
      });
      fusion = performance.now() - tf;
      window = [];
    }
    const total = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const model = models.takeModelMs();
    perFrame.push({ label: frames[i]!.label, ...t, fusion, total, model, cpu: (c.user + c.system) / 1000 });
    if (pass === 0) {
      const p = a.patient;
      top.push(p ? EXPRESSION_KEYS.reduce((x, y) => (p.expression[y] > p.expression[x] ? y : x)) : null);
    }
  }
  passTotalsMs.push(performance.now() - passStart);
}
const decodeMs = await decodeIntervals();
await pipeline.release();
process.stdout.write(
  JSON.stringify({
    threads,
    frames: frames.length,
    passes,
    perFrame,
    passTotalsMs,
    top,
    decodeMs,
    maxRssKb: process.resourceUsage().maxRSS,
  }) + '\n',
);
