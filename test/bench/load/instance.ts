/**
 * One Attune server process for the load generator, started like the production entry point
 * (`loadConfig` over its environment, then `startServer`), demo off.
 *
 *  - job 'serve': one instance of the system under load (its own PORT, ATTUNE_INSTANCE_ID,
 *    MQTT client id), answering 'ready' with its URL, then running until told to stop.
 *  - job 'seed': a one-off server on the same database and broker that seeds N beds in wards of
 *    `wardSize` (bed, enrolled device provisioned on the broker, stay with camera + wearable
 *    consent) with the integration tests' `seedTestWard`, answers with the devices, and stops.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig, startServer } from '@attune/server';
import { seedTestWard, testDevicePassword, type TestDevice } from '../../support/system.ts';
import { firstMessage, reportErrors, type Msg } from '../ingest/common.ts';

reportErrors();

interface Job {
  mode: 'serve' | 'seed';
  env: Record<string, string>;
  beds?: number;
  wardSize?: number;
  secret?: string;
}
const job = (await firstMessage()) as unknown as Job & Msg;

const dataDir = mkdtempSync(join(tmpdir(), 'attune-load-'));
const config = loadConfig({
  HOST: '127.0.0.1',
  PORT: '0',
  ATTUNE_DATA_DIR: dataDir,
  ATTUNE_DEMO: 'false',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'test',
  ...job.env,
});
const server = await startServer(config, { logger: createLogger(config.LOG_LEVEL) });
const baseUrl = server.url.replace('localhost', '127.0.0.1');

const stop = async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};

if (job.mode === 'seed') {
  // Told to stop while seeding (the run was interrupted): leave at once, the parent drops the database.
  let seeding = true;
  process.on('message', (m: Msg) => {
    if (m.type === 'stop' && seeding) process.exit(1);
  });
  const beds = job.beds!;
  const wardSize = job.wardSize!;
  const wards = Math.ceil(beds / wardSize);
  const seedWard = (w: number) =>
    seedTestWard(
      server,
      Array.from({ length: Math.min(wardSize, beds - w * wardSize) }, () => ({ consent: { camera: true, wearable: true } })),
      { suffix: `w${w + 1}`, passwordFor: (id) => testDevicePassword(job.secret!, id) },
    );
  // The first ward alone (it creates the users), then a few at a time: scrypt hashing of each
  // device credential is the slow part and runs on libuv's thread pool.
  const seeded = [await seedWard(0)];
  for (let w = 1; w < wards; w += 4) {
    seeded.push(...(await Promise.all(Array.from({ length: Math.min(4, wards - w) }, (_, i) => seedWard(w + i)))));
  }
  const devices: TestDevice[] = seeded.flatMap((s) => s.devices);
  seeding = false;
  process.send!({ type: 'seeded', wards: seeded.map((s) => s.wardId), devices });
  await firstMessage();
  await stop();
} else {
  process.send!({ type: 'ready', baseUrl, mqttUrl: server.mqttUrl });
  process.on('SIGTERM', () => void stop());
  process.on('message', (m: Msg) => {
    if (m.type === 'stop') void stop();
  });
}
