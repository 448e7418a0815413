/**
 * `attune-agent run --config <file>`   run the bedside agent until SIGINT/SIGTERM
 * `attune-agent doctor --config <file>` check config, model hashes, data folder, recording and broker login
 * `attune-agent enroll`                 not available yet
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { findModel, loadManifest, MANIFEST_PATH, modelFilePath } from '@attune/models';
import { startAgent } from './agent.ts';
import { loadConfigFile, type AgentConfig } from './config.ts';
import { WearableDistressModel } from './inference/wearable-distress-model.ts';
import { recordedE4 } from './sources/e4-csv.ts';
import { AGENT_VERSION } from './version.ts';

const USAGE = `attune-agent ${AGENT_VERSION}
usage:
  attune-agent run --config <file>      run the bedside agent
  attune-agent doctor --config <file>   check config, model hashes, data folder and broker login
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

async function check(name: string, fn: () => Promise<string> | string): Promise<boolean> {
  try {
    console.log(`ok    ${name}: ${await fn()}`);
    return true;
  } catch (err) {
    console.log(`FAIL  ${name}: ${(err as Error).message}`);
    return false;
  }
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
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error('connection closed')));
    });
    return `connected to ${config.mqtt.url} as ${config.mqtt.username ?? '(no username)'}`;
  } finally {
    client.end(true);
  }
}

async function doctor(args: string[]): Promise<number> {
  let config: AgentConfig | null = null;
  const results: boolean[] = [];
  results.push(
    await check('config', () => {
      config = loadConfigFile(configPath(args));
      return `${config.deviceId}, window ${config.windowMs} ms, wearable ${config.wearable.kind}`;
    }),
  );
  if (!config) return 1;
  const c: AgentConfig = config;
  const manifestPath = c.modelsManifest ?? MANIFEST_PATH;
  results.push(
    await check('models', async () => {
      const manifest = loadManifest(manifestPath);
      const model = await WearableDistressModel.load(manifestPath);
      await model.release();
      return manifest.models
        .map((m) => `${m.name}@${m.version} sha256 ${m.sha256.slice(0, 12)}… (${modelFilePath(findModel(manifest, m.name), manifestPath)})`)
        .join(', ');
    }),
  );
  results.push(
    await check('data folder', () => {
      const outbox = join(c.dataDir, 'outbox');
      const pending = existsSync(outbox) ? readdirSync(outbox).filter((n) => n.endsWith('.json')).length : 0;
      return `${c.dataDir} (${pending} windows waiting in the outbox)`;
    }),
  );
  if (c.wearable.kind === 'e4-replay') {
    const dir = c.wearable.dir;
    results.push(await check('wearable recording', () => `${dir}: ${Math.round(recordedE4(dir).durationS)} s`));
  }
  results.push(await check('broker login', () => brokerLogin(c)));
  return results.every(Boolean) ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'run':
      return run(args);
    case 'doctor':
      return doctor(args);
    case 'enroll':
      console.error(
        'attune-agent enroll: not available yet. Devices are enrolled by the server operator for now (see docs/deploy.md).',
      );
      return 2;
    default:
      console.log(USAGE);
      return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  }
}
