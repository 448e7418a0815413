/**
 * `attune-agent run --config <file>`   run the bedside agent until SIGINT/SIGTERM
 * `attune-agent doctor --config <file>` checklist: config, model hashes, data folder, ffmpeg and camera (one frame),
 *                                       wearable, broker login, clock offset; with the fix for each failure
 * `attune-agent enroll`                 not available yet
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { loadManifest, MANIFEST_PATH } from '@attune/models';
import { startAgent } from './agent.ts';
import { loadConfigFile, readMqttCa, type AgentConfig } from './config.ts';
import { FaceModels } from './face/face-models.ts';
import { WearableDistressModel } from './inference/wearable-distress-model.ts';
import { createCameraSource } from './sources/camera/create-camera-source.ts';
import { describeFfmpeg, findFfmpeg } from './sources/camera/ffmpeg-binary.ts';
import { grabOneFrame } from './sources/camera/frame.ts';
import { createWearableSource } from './sources/wearable/create-wearable-source.ts';
import { recordedE4 } from '@attune/models';
import { AGENT_VERSION } from './version.ts';

const USAGE = `attune-agent ${AGENT_VERSION}
usage:
  attune-agent run --config <file>      run the bedside agent
  attune-agent doctor --config <file>   checklist: config, model hashes, data folder, ffmpeg, camera, wearable,
                                        broker login and clock offset, with the fix for each failure
  attune-agent enroll                   enrol this device with the server (not available yet)`;

function configPath(args: string[]): string {
  const i = args.indexOf('--config');
  const path = i >= 0 ? args[i + 1] : undefined;
  if (!path) throw new Error('missing --config <file>');
  return path;
}

async function run(args: string[]): Promise<number> {
  const config = loadConfigFile(configPath(args));
  const agent = await startAgent(config);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await agent.stop();
  return 0;
}

interface CheckResult {
  ok: boolean;
  skipped?: boolean;
}

/** One checklist line: what was checked, what was found, and on failure the fix in words. */
async function check(name: string, fn: () => Promise<string> | string, fix: (message: string) => string): Promise<CheckResult> {
  try {
    console.log(`ok    ${name}: ${await fn()}`);
    return { ok: true };
  } catch (err) {
    const message = (err as Error).message;
    console.log(`FAIL  ${name}: ${message}`);
    console.log(`      fix: ${fix(message)}`);
    return { ok: false };
  }
}

function skip(name: string, why: string): CheckResult {
  console.log(`skip  ${name}: ${why}`);
  return { ok: true, skipped: true };
}

async function brokerLogin(config: AgentConfig): Promise<string> {
  // Brokers accept a device only under its own client id. clean:false keeps the agent's persistent
  // session intact; if the agent is running it is briefly taken over and reconnects by itself.
  const client = mqtt.connect(config.mqtt.url, {
    protocolVersion: 4,
    clean: false,
    clientId: config.deviceId,
    username: config.mqtt.username,
    password: config.mqtt.password,
    ...(config.mqtt.caFile ? { ca: readMqttCa(config.mqtt) } : {}),
    rejectUnauthorized: true,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error('connection closed')));
    });
    return `connected to ${config.mqtt.url} as ${config.mqtt.username ?? '(no username)'} (client id ${config.deviceId})`;
  } finally {
    client.end(true);
  }
}

/** Which ffmpeg the camera runs (configured, on the PATH or bundled) and its version: proves it starts here. */
function ffmpegInUse(configured: string | undefined): string {
  const binary = findFfmpeg(configured);
  let version: string;
  try {
    version = execFileSync(binary.path, ['-hide_banner', '-version'], { timeout: 10_000 }).toString().split('\n')[0]!;
  } catch (err) {
    throw new Error(`cannot start ${describeFfmpeg(binary)}: ${(err as Error).message}`);
  }
  return `${describeFfmpeg(binary)}: ${version.replace(/\s+Copyright.*$/, '')}`;
}

/** Clock offset from the server's HTTP Date header, corrected for half the round trip (Date has 1 s resolution). */
export async function clockOffsetMs(serverUrl: string): Promise<{ offsetMs: number; rttMs: number }> {
  const t0 = Date.now();
  const res = await fetch(new URL('/healthz', serverUrl), { method: 'GET', signal: AbortSignal.timeout(5000) }).catch((err: unknown) => {
    throw new Error(`cannot reach ${serverUrl}: ${(err as Error).message}`);
  });
  const t1 = Date.now();
  await res.body?.cancel();
  const date = res.headers.get('date');
  if (!date) throw new Error(`${serverUrl} sent no Date header`);
  const serverMs = Date.parse(date) + 500; // the header truncates to the second
  return { offsetMs: serverMs - (t0 + t1) / 2, rttMs: t1 - t0 };
}

const FIX = {
  config: () => 'correct the named field in the config file (see edge-agent/README.md, "Config file")',
  models: (m: string) =>
    /sha256|refusing/.test(m)
      ? 'a model file was changed or corrupted: run `npm run models:build` (face models) or restore models/ from the release'
      : 'run `npm install` then `npm run models:build` at the repository root',
  data: () => 'create the data folder and make it writable by the agent user',
  ffmpeg: (m: string) =>
    /no ffmpeg found/.test(m)
      ? 'install ffmpeg (`apt-get install ffmpeg`), or run `npm install` at the repository root for the bundled one (@ffmpeg-installer/ffmpeg)'
      : 'the ffmpeg named above does not run on this device: correct or remove camera.ffmpegPath, or reinstall that ffmpeg',
  camera: (m: string) =>
    /cannot start/.test(m)
      ? 'install ffmpeg (`apt-get install ffmpeg`), run `npm install` for the bundled one, or correct camera.ffmpegPath'
      : /No such file|No such device|Cannot open|not found/i.test(m)
        ? 'check camera.input: the device is plugged in (`ls /dev/video*`), the RTSP URL and its credentials, or the file path'
        : /Permission denied/i.test(m)
          ? 'add the agent user to the `video` group (V4L2) or fix the file permissions'
          : 'check camera.input with `ffmpeg -i <input> -frames:v 1 -f null -`',
  wearable: (m: string) =>
    /optional package/.test(m)
      ? 'install the BLE stack on this device: `npm install @abandonware/noble`, then allow raw HCI sockets'
      : /not powered on|unsupported/.test(m)
        ? 'switch Bluetooth on (`bluetoothctl power on`) and check the adapter (`hciconfig`)'
        : 'check wearable.dir / the sensor is worn, charged and advertising nearby',
  broker: (m: string) =>
    /Not authorized|Bad username|identifier rejected/i.test(m)
      ? 'the broker refused this device: check mqtt.username/password and that the device is enrolled and active on the server (Devices page)'
      : /certificate|self[- ]signed|altnames|mqtt\.caFile/i.test(m)
        ? "the broker's TLS certificate is not trusted: set mqtt.caFile to the CA (or self-signed certificate) the broker's certificate comes from, and use the host name the certificate names in mqtt.url"
        : 'check mqtt.url, that the broker is running and reachable from this device (firewall, port 1883/8883)',
  clock: (m: string) =>
    /offset/.test(m)
      ? 'enable time synchronisation: `timedatectl set-ntp true` (chrony or systemd-timesyncd)'
      : 'check serverUrl and the network path to the server',
};

async function doctor(args: string[]): Promise<number> {
  let config: AgentConfig | null = null;
  const results: CheckResult[] = [];
  results.push(
    await check(
      'config',
      () => {
        config = loadConfigFile(configPath(args));
        return `${config.deviceId}, window ${config.windowMs} ms, wearable ${config.wearable.kind}, camera ${config.camera.kind}`;
      },
      FIX.config,
    ),
  );
  if (!config) return 1;
  const c: AgentConfig = config;
  const manifestPath = c.modelsManifest ?? MANIFEST_PATH;
  results.push(
    await check(
      'model hashes',
      async () => {
        const manifest = loadManifest(manifestPath);
        const model = await WearableDistressModel.load(manifestPath);
        await model.release();
        if (c.camera.kind !== 'none') await (await FaceModels.load({ manifestPath })).release();
        const used = manifest.models.filter((m) => c.camera.kind !== 'none' || !m.name.startsWith('face-'));
        return used.map((m) => `${m.name}@${m.version} sha256 ${m.sha256.slice(0, 12)}… ok`).join(', ') + ` (manifest ${manifestPath})`;
      },
      FIX.models,
    ),
  );
  results.push(
    await check(
      'data folder',
      () => {
        mkdirSync(c.dataDir, { recursive: true });
        accessSync(c.dataDir, constants.W_OK);
        const outbox = join(c.dataDir, 'outbox');
        const pending = existsSync(outbox) ? readdirSync(outbox).filter((n) => n.endsWith('.json')).length : 0;
        return `${c.dataDir} writable (${pending} windows waiting in the outbox)`;
      },
      FIX.data,
    ),
  );
  if (c.camera.kind === 'none') results.push(skip('camera', 'not configured'));
  else {
    const camera = c.camera;
    const ffmpeg = await check('ffmpeg', () => ffmpegInUse(camera.ffmpegPath), FIX.ffmpeg);
    results.push(ffmpeg);
    if (!ffmpeg.ok) results.push(skip('camera', 'needs a working ffmpeg (see above)'));
    else {
      results.push(
        await check(
          'camera',
          async () => {
            const source = createCameraSource(camera)!;
            const frame = await grabOneFrame(source, 15_000);
            // Only numbers about the frame are printed; the frame itself is dropped here.
            const step = Math.max(1, Math.floor(frame.data.length / 3 / 5000));
            let luma = 0;
            let n = 0;
            for (let i = 0; i < frame.data.length; i += 3 * step, n++)
              luma += 0.299 * frame.data[i]! + 0.587 * frame.data[i + 1]! + 0.114 * frame.data[i + 2]!;
            return `${source.description}: one ${frame.width}x${frame.height} frame read, mean brightness ${Math.round(luma / n)}/255${luma / n < 30 ? ' (very dark: check the lighting or IR)' : ''}`;
          },
          FIX.camera,
        ),
      );
    }
  }
  results.push(await checkWearable(c));
  results.push(await check('broker login', () => brokerLogin(c), FIX.broker));
  if (!c.serverUrl) results.push(skip('clock', 'set serverUrl in the config to compare this clock with the server'));
  else {
    const serverUrl = c.serverUrl;
    results.push(
      await check(
        'clock',
        async () => {
          const { offsetMs, rttMs } = await clockOffsetMs(serverUrl);
          const words = `offset from server ${offsetMs >= 0 ? '+' : ''}${(offsetMs / 1000).toFixed(1)} s (round trip ${rttMs} ms)`;
          // Windows carry agent timestamps; the server compares them with consent times.
          if (Math.abs(offsetMs) > 2000 + rttMs) throw new Error(`${words}: more than 2 s`);
          return words;
        },
        FIX.clock,
      ),
    );
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(failed === 0 ? '\nall checks passed' : `\n${failed} check(s) failed: see the fix under each FAIL line`);
  return failed === 0 ? 0 : 1;
}

async function checkWearable(c: AgentConfig): Promise<CheckResult> {
  const w = c.wearable;
  switch (w.kind) {
    case 'none':
      return skip('wearable', 'not configured');
    case 'simulator':
      return check('wearable', () => `simulator (seed ${w.seed}, ${w.episodes.length} scripted episodes)`, FIX.wearable);
    case 'e4-replay':
      return check('wearable', () => `E4 recording ${w.dir}: ${Math.round(recordedE4(w.dir).durationS)} s`, FIX.wearable);
    case 'ble-hrm':
      return check(
        'wearable',
        async () => {
          const source = createWearableSource(w)!;
          try {
            const sample = await new Promise<string>((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error('no heart-rate notification within 20 s')), 20_000);
              const poll = setInterval(() => {
                if (source.state() === 'error') {
                  clearTimeout(timer);
                  clearInterval(poll);
                  reject(new Error((source as { lastError?: string | null }).lastError ?? 'BLE source failed'));
                }
              }, 100);
              source.open((samples) => {
                const hr = samples.find((s) => s.kind === 'hr');
                if (!hr || hr.kind !== 'hr') return;
                clearTimeout(timer);
                clearInterval(poll);
                resolve(`${source.description}: heart rate ${hr.hrBpm} bpm received`);
              });
            });
            return sample;
          } finally {
            source.close();
          }
        },
        FIX.wearable,
      );
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'run':
      return run(args);
    case 'doctor':
      return doctor(args);
    case 'enroll':
      console.error('attune-agent enroll: not available yet. Devices are enrolled by the server operator for now (see docs/deploy.md).');
      return 2;
    default:
      console.log(USAGE);
      return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  }
}
