/** What each doctor check looks at, answering its finding in words or throwing what went wrong. */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import type { DoctorCheckName } from '@attune/protocol';
import { loadManifest, modelFilePath, recordedE4, sha256Hex } from '@attune/models';
import { readMqttCa, type AgentConfig } from '../config.ts';
import { FaceModels } from '../face/face-models.ts';
import { WearableDistressModel } from '../inference/wearable-distress-model.ts';
import { describeFfmpeg, findFfmpeg } from '../sources/camera/ffmpeg-binary.ts';
import type { RgbFrame } from '../sources/camera/frame.ts';
import { createWearableSource } from '../sources/wearable/create-wearable-source.ts';

/**
 * Each model the agent runs matches the manifest's sha256. Intrusive (the command line): loaded and
 * warmed up as the agent loads them. In the running agent: the files hashed only.
 */
export async function checkModels(c: AgentConfig, o: { intrusive: boolean; manifestPath: string }): Promise<string> {
  const manifest = loadManifest(o.manifestPath);
  const used = manifest.models.filter((m) => c.camera.kind !== 'none' || !m.name.startsWith('face-'));
  if (o.intrusive) {
    const model = await WearableDistressModel.load(o.manifestPath);
    await model.release();
    if (c.camera.kind !== 'none') await (await FaceModels.load({ manifestPath: o.manifestPath })).release();
  } else {
    for (const m of used) {
      const file = modelFilePath(m, o.manifestPath);
      if (!existsSync(file)) throw new Error(`${m.name}: ${file} not found`);
      if (sha256Hex(readFileSync(file)) !== m.sha256) throw new Error(`${m.name}: ${file} does not match the manifest sha256`);
    }
  }
  return used.map((m) => `${m.name}@${m.version} sha256 ${m.sha256.slice(0, 12)}… ok`).join(', ') + ` (manifest ${o.manifestPath})`;
}

export function checkDataDir(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  accessSync(dataDir, constants.W_OK);
  const outbox = join(dataDir, 'outbox');
  const pending = existsSync(outbox) ? readdirSync(outbox).filter((n) => n.endsWith('.json')).length : 0;
  return `${dataDir} writable (${pending} windows waiting in the outbox)`;
}

/**
 * Which ffmpeg the camera runs (configured, on the PATH or bundled) and its version: proves it starts
 * here. Asynchronous, so a slow ffmpeg never holds up a running agent's event loop.
 */
export async function ffmpegInUse(configured: string | undefined): Promise<string> {
  const binary = findFfmpeg(configured);
  let version: string;
  try {
    const { stdout } = await promisify(execFile)(binary.path, ['-hide_banner', '-version'], { timeout: 10_000 });
    version = stdout.split('\n')[0]!;
  } catch (err) {
    throw new Error(`cannot start ${describeFfmpeg(binary)}: ${(err as Error).message}`);
  }
  return `${describeFfmpeg(binary)}: ${version.replace(/\s+Copyright.*$/, '')}`;
}

/** Only numbers about the frame are told; the frame itself is dropped by the caller. */
export function describeFrame(description: string, frame: RgbFrame): string {
  const step = Math.max(1, Math.floor(frame.data.length / 3 / 5000));
  let luma = 0;
  let n = 0;
  for (let i = 0; i < frame.data.length; i += 3 * step, n++)
    luma += 0.299 * frame.data[i]! + 0.587 * frame.data[i + 1]! + 0.114 * frame.data[i + 2]!;
  return `${description}: one ${frame.width}x${frame.height} frame read, mean brightness ${Math.round(luma / n)}/255${luma / n < 30 ? ' (very dark: check the lighting or IR)' : ''}`;
}

export async function brokerLogin(config: AgentConfig): Promise<string> {
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

type WearableCheck =
  | { kind: 'skip'; code: string; why: string }
  | { kind: 'run'; spec: { name: DoctorCheckName; label: string; run: () => Promise<string> | string } };

const wearableSpec = (run: () => Promise<string> | string): WearableCheck => ({
  kind: 'run',
  spec: { name: 'wearable', label: 'wearable', run },
});

export function wearableCheck(w: AgentConfig['wearable'], intrusive: boolean): WearableCheck {
  switch (w.kind) {
    case 'none':
      return { kind: 'skip', code: 'not_configured', why: 'not configured' };
    case 'simulator':
      return wearableSpec(() => `simulator (seed ${w.seed}, ${w.episodes.length} scripted episodes)`);
    case 'e4-replay':
      return wearableSpec(() => `E4 recording ${w.dir}: ${Math.round(recordedE4(w.dir).durationS)} s`);
    case 'ble-hrm':
      if (!intrusive) return { kind: 'skip', code: 'in_use_by_agent', why: 'the running agent holds the sensor' };
      return wearableSpec(() => bleHeartRate(w));
  }
}

async function bleHeartRate(w: Extract<AgentConfig['wearable'], { kind: 'ble-hrm' }>): Promise<string> {
  const source = createWearableSource(w)!;
  try {
    return await new Promise<string>((resolve, reject) => {
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
  } finally {
    source.close();
  }
}
