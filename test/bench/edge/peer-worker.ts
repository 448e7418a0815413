/**
 * Benchmark worker: the peer, @vladmandic/human 3.3.6 on its WASM backend in Node, doing per-frame
 * full inference (detector + mesh + emotion, every cache and frame skipping off) on the same
 * frames. Its models are served from a loopback HTTP server because Human loads them with fetch,
 * which cannot read file:// URLs in Node 20. Prints one JSON line on stdout.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchFrames, HEIGHT, WIDTH } from './frames.ts';

const passes = Number(process.argv[2] ?? 3);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const humanDir = join(root, 'node_modules/@vladmandic/human');
const wasmDist = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/');

const server = createServer((req, res) => {
  const file = join(humanDir, 'models', new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/+/, ''));
  if (!file.startsWith(join(humanDir, 'models')) || !existsSync(file)) {
    res.statusCode = 404;
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as { port: number }).port;

// The package's exports map does not expose the node-wasm build: load it by path.
const require = createRequire(import.meta.url);
const { Human } = require(join(humanDir, 'dist/human.node-wasm.js')) as { Human: new (config: object) => HumanApi };
interface HumanApi {
  load(): Promise<void>;
  init(): Promise<void>;
  detect(input: unknown): Promise<{ face: { emotion?: { score: number; emotion: string }[]; boxRaw: number[] }[] }>;
  tf: { tensor(data: Uint8Array, shape: number[], dtype: string): { dispose(): void }; getBackend(): string };
  env: { wasm: { simd: boolean; multithread: boolean } };
  version: string;
}
const off = { enabled: false };
const human = new Human({
  backend: 'wasm',
  modelBasePath: `http://127.0.0.1:${port}/`,
  wasmPath: wasmDist,
  debug: false,
  async: true,
  warmup: 'none',
  cacheSensitivity: 0,
  filter: off,
  face: {
    enabled: true,
    detector: { rotation: false, maxDetected: 1, skipFrames: 0, skipTime: 0, minConfidence: 0.5, iouThreshold: 0.3 },
    mesh: { enabled: true },
    iris: off,
    attention: off,
    emotion: { enabled: true, skipFrames: 0, skipTime: 0, minConfidence: 0 },
    description: off,
    antispoof: off,
    liveness: off,
    gear: off,
  },
  body: off,
  hand: off,
  object: off,
  gesture: off,
  segmentation: off,
});
await human.init();
await human.load();
const frames = benchFrames();
const run = async (data: Uint8Array) => {
  const t = human.tf.tensor(data, [1, HEIGHT, WIDTH, 3], 'int32');
  try {
    return await human.detect(t);
  } finally {
    t.dispose();
  }
};
for (const f of frames.slice(0, 8)) await run(f.data); // warm-up, as for Attune

const totals: number[] = [];
const cpus: number[] = [];
const top: (string | null)[] = [];
const passTotalsMs: number[] = [];
for (let pass = 0; pass < passes; pass++) {
  const passStart = performance.now();
  for (const f of frames) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await run(f.data);
    totals.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
    // Human's own label (the FER2013 class words); edge.bench.ts puts it in the protocol's words, so
    // this process loads nothing of Attune's and its peak RSS stays the peer's alone.
    if (pass === 0) top.push(r.face[0]?.emotion?.[0]?.emotion ?? null);
  }
  passTotalsMs.push(performance.now() - passStart);
}
server.close();
process.stdout.write(
  JSON.stringify({
    version: human.version,
    backend: human.tf.getBackend(),
    wasm: human.env.wasm,
    frames: frames.length,
    passes,
    totals,
    cpus,
    passTotalsMs,
    top,
    maxRssKb: process.resourceUsage().maxRSS,
  }) + '\n',
);
