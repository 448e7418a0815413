/**
 * The Attune server in its own process, started exactly as the integration tests start it
 * (`startTestSystem`): a fresh scratch PostgreSQL database or PGlite, the external Mosquitto or
 * the embedded broker, one ward with a bed per device, each bed with an active stay and wearable
 * consent, each device enrolled (and provisioned on Mosquitto) with its own credential.
 *
 * Answers the parent's requests over IPC: SQL against the server's own database (PGlite lives in
 * this process), and this process's CPU time.
 */
import { startTestSystem, type Backend } from '../../support/system.ts';
import { firstMessage, reportErrors, type Msg } from './common.ts';

reportErrors();

interface Job {
  backend: Backend;
  devices: number;
  env: Record<string, string>;
}
const job = (await firstMessage()) as unknown as Job & Msg;

const system = await startTestSystem({
  backend: job.backend,
  beds: Array.from({ length: job.devices }, () => ({ consent: { camera: false, wearable: true } })),
  env: job.env,
});
const hashes = await system.server.db.query<{ deviceId: string; credentialHash: string }>(
  `select id as "deviceId", credential_hash as "credentialHash" from device where id = any($1::text[])`,
  [system.devices.map((d) => d.deviceId)],
);
process.send!({
  type: 'ready',
  baseUrl: system.baseUrl,
  mqttUrl: system.mqttUrl,
  dbKind: system.server.db.kind,
  devices: system.devices.map((d) => ({ deviceId: d.deviceId, password: d.password, stayId: d.stayId })),
  credentialHashes: hashes,
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await system.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('message', (m: Msg) => {
  if (m.type === 'stop') return void stop();
  if (m.type === 'query') {
    system.server.db
      .query(String(m.sql), (m.params as unknown[]) ?? [])
      .then((rows) => process.send!({ type: 'reply', id: m.id, rows }))
      .catch((error: unknown) => process.send!({ type: 'reply', id: m.id, error: String(error) }));
  } else if (m.type === 'cpu') {
    process.send!({ type: 'reply', id: m.id, cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
  }
});
