/**
 * The embedded broker alone, for the passthrough reference on the embedded backend: Attune's own
 * `startEmbeddedBroker` (aedes) with its own device authenticator (`createDeviceAuthenticator`,
 * scrypt on first connect, then a cached digest), reading the device credential hashes that the
 * benchmark's server stored, from memory instead of from the database. The server identity gets a
 * password we choose, because the running server's generated one is not exposed.
 */
import type { DeviceRepository } from '@attune/server';
import { createDeviceAuthenticator, startEmbeddedBroker } from '@attune/server/broker';
import { createLogger } from '@attune/server';
import { firstMessage, reportErrors, type Msg } from './common.ts';

reportErrors();

interface Job {
  serverUsername: string;
  serverPassword: string;
  devices: { deviceId: string; credentialHash: string }[];
}
const job = (await firstMessage()) as unknown as Job & Msg;
const byId = new Map(job.devices.map((d) => [d.deviceId, d]));
const repo = {
  findContext: async (deviceId: string) => {
    const d = byId.get(deviceId);
    return d ? { deviceId, isActive: true, credentialHash: d.credentialHash, bedId: null, wardId: null } : null;
  },
} as unknown as DeviceRepository;

const broker = await startEmbeddedBroker({
  port: 0,
  host: '127.0.0.1',
  server: { username: job.serverUsername, password: job.serverPassword },
  devices: createDeviceAuthenticator(repo),
  // A plain broker: acknowledge on receipt and forward to the subscriber (no ingest behind it).
  deviceMessages: () => Promise.resolve(),
  logger: createLogger('error'),
  // Same as the end-to-end server in the bench: the per-client rate cap lifted, so both measure throughput.
  limits: { packetsPerSecond: 100_000, packetBurst: 100_000 },
});
process.send!({ type: 'ready', url: broker.url });
process.on('message', (m: Msg) => {
  if (m.type === 'stop') void broker.close().finally(() => process.exit(0));
});
