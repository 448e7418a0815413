/**
 * An Attune server in a process of its own, for tests that kill it (`kill -9`) and start it again
 * on the same data. It reads its configuration from the environment, as `npm start` does. On its
 * first start it seeds a test ward of TEST_WARD_BEDS beds, each consented to the wearable, whose
 * device ids carry TEST_WARD_SUFFIX and whose passwords derive from TEST_DEVICE_SECRET, so the
 * test knows them without asking. It prints one line, `READY {"baseUrl", "mqttUrl"}`, when it
 * accepts connections, and stops cleanly on SIGTERM.
 */
import { createLogger, loadConfig, startServer } from '@attune/server';
import { seedTestWard, testDevicePassword } from './system.ts';

const config = loadConfig();
const server = await startServer(config, { logger: createLogger(config.LOG_LEVEL) });
const suffix = process.env.TEST_WARD_SUFFIX!;
const secret = process.env.TEST_DEVICE_SECRET!;
// TEST_WARDS > 1: wards `<suffix>w0`, `<suffix>w1`, ... (several instances share them out); TEST_SEED=false: another instance seeds.
const wardSuffixes = process.env.TEST_WARDS ? Array.from({ length: Number(process.env.TEST_WARDS) }, (_, w) => `${suffix}w${w}`) : [suffix];
for (const wardSuffix of process.env.TEST_SEED === 'false' ? [] : wardSuffixes) {
  if (await server.repositories.wards.findByName(`Test ward ${wardSuffix}`)) continue;
  const beds = Array.from({ length: Number(process.env.TEST_WARD_BEDS ?? 1) }, () => ({ consent: { camera: false, wearable: true } }));
  await seedTestWard(server, beds, { suffix: wardSuffix, passwordFor: (deviceId) => testDevicePassword(secret, deviceId) });
}
process.stdout.write(`READY ${JSON.stringify({ baseUrl: server.url, mqttUrl: server.mqttUrl })}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
