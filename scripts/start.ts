/**
 * `npm start`: the whole system on embedded defaults. Builds the dashboard when it is missing
 * or stale, starts the server (PGlite, embedded broker, API, SSE, dashboard) with the demo
 * ward, then one bedside agent per demo bed, each replaying its bundled wearable recording
 * through the real agent pipeline (features, ONNX model, fusion, consent gate, outbox, MQTT).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeFfmpeg, findFfmpeg, startAgent, type RunningAgent } from '@attune/edge-agent';
import { ConfigError, createLogger, loadConfig, PortInUseError, startServer, type RunningServer } from '@attune/server';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function ensureDashboardBuilt(): void {
  const index = join(root, 'dashboard/build/index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtimeMs(join(root, 'dashboard/src'))) return;
  console.log('Building the dashboard (first start only)…');
  const result = spawnSync('npm', ['run', '-w', '@attune/dashboard', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error('dashboard build failed');
}

ensureDashboardBuilt();
let config: ReturnType<typeof loadConfig>;
let server: RunningServer;
try {
  config = loadConfig({ ATTUNE_DEMO: 'true', ...process.env });
  server = await startServer(config, { logger: createLogger(config.LOG_LEVEL) });
} catch (error) {
  if (error instanceof ConfigError || error instanceof PortInUseError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
const logger = createLogger(config.LOG_LEVEL);

// `npm start -- --camera /dev/video0` (or ATTUNE_DEMO_CAMERA=…): Bed 1 watches a real camera (a V4L2
// device, an RTSP URL or a video file) so an evaluator sees their own face's indicators on the board.
const cameraFlag = process.argv.indexOf('--camera');
const demoCamera = (cameraFlag >= 0 ? process.argv[cameraFlag + 1] : undefined) ?? process.env.ATTUNE_DEMO_CAMERA;

const agents: RunningAgent[] = [];
if (config.ATTUNE_DEMO) {
  for (const device of server.demoDevices) {
    const bed = device.deviceId.slice(0, 'bed-00'.length); // bed-01 … bed-08
    const withCamera = demoCamera !== undefined && bed === 'bed-01';
    agents.push(
      await startAgent(
        {
          deviceId: device.deviceId,
          mqtt: { url: server.mqttUrl, username: device.deviceId, password: device.password },
          dataDir: join(config.dataDir, 'agents', device.deviceId),
          // A one-minute personal baseline so the demo's scripted episodes show within minutes.
          baselineWindows: 12,
          wearable: { kind: 'e4-replay', dir: join(root, 'edge-agent/recordings', bed), loop: true },
          // A 20-frame (10 s) neutral-face baseline so the evaluator's frown shows within a minute.
          camera: withCamera
            ? { kind: 'ffmpeg', input: demoCamera, fps: 2, width: 640, height: 480, loop: true, baselineFrames: 20 }
            : { kind: 'none' },
        },
        {
          log: {
            info: () => {},
            warn: (msg, f) => logger.warn(msg, { deviceId: device.deviceId, ...f }),
            error: (msg, f) => logger.error(msg, { deviceId: device.deviceId, ...f }),
          },
        },
      ),
    );
  }
}

console.log(`
  Attune is running: ${server.url.replace('localhost', 'localhost')}
  ${
    config.ATTUNE_DEMO
      ? `Demo ward with ${agents.length} bedside agents. Sign in as demo-nurse / demo-nurse (also demo-charge, demo-it).
  A scripted distress episode on Bed 2 and Bed 5 raises an alert about 5 minutes after start.${
    demoCamera
      ? `\n  Bed 1 watches the camera ${demoCamera} through ffmpeg ${describeFfmpeg(findFfmpeg())}: after the first minute, look at it calmly for 10 s (it learns your neutral face while the wristband reads calm), then frown.`
      : ''
  }`
      : 'Demo mode is off.'
  }
  Press Ctrl+C to stop.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      for (const agent of agents) await agent.stop();
      await server.stop();
      process.exit(0);
    })();
  });
}
