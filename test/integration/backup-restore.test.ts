/**
 * The backup and restore procedure of docs/deploy.md ("Back up and restore"), run for real:
 *
 * - PostgreSQL: `pg_dump --format=custom` of the whole database while the server runs, then
 *   `pg_restore --no-owner --no-privileges --exit-on-error` into a fresh, empty database, and a
 *   server started on it has the same wards, beds, stays, consent and alerts (every table's rows,
 *   compared by checksum). Needs DATABASE_URL (a PostgreSQL 15 server) and pg_dump/pg_restore of
 *   the same major version; skipped with a warning otherwise.
 * - Embedded PGlite: stop the server, copy ATTUNE_DATA_DIR, start a server on the copy.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabaseUrl, dropScratchDatabase } from '@attune/db/testing';
import { createLogger, loadConfig, startServer, type RunningServer } from '@attune/server';
import { encodePayload, topics } from '@attune/protocol';
import { deviceConnectOptions } from '../support/broker.ts';
import { getJson, makeEpisode, seedTestWard, waitFor, type TestDevice } from '../support/system.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const adminUrl = process.env.DATABASE_URL;
const work = mkdtempSync(join(tmpdir(), 'attune-backup-'));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(work, { recursive: true, force: true });
});

function toolMajor(tool: string): number | null {
  try {
    return Number(/\(PostgreSQL\) (\d+)/.exec(execFileSync(tool, ['--version'], { encoding: 'utf8' }))?.[1]);
  } catch {
    return null;
  }
}

/** Each table's row count and a checksum of its rows, for every table of the database. */
async function fingerprint(url: string): Promise<Record<string, string>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const tables = await sql<{ name: string }[]>`
      select format('%I.%I', schemaname, tablename) as name from pg_tables
      where schemaname not in ('pg_catalog', 'information_schema') order by 1`;
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const [row] = await sql.unsafe(
        `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum from ${name} t`,
      );
      out[name] = `${row!.n} ${row!.sum}`;
    }
    return out;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** What a nurse sees after the restore: the ward's beds with their patients, and the open alerts. */
async function clinicalView(baseUrl: string, wardId: string): Promise<{ beds: Json; alerts: Json }> {
  const nurse = await loginTo(baseUrl);
  const board = await getJson(baseUrl, `/api/wards/${wardId}/board`, nurse);
  const { alerts } = await getJson(baseUrl, `/api/alerts`, nurse);
  return {
    beds: board.beds.map((b: Json) => [b.bedId ?? b.id, b.label, b.stay?.id ?? null, b.stay?.patientName ?? null, b.consent]),
    alerts: alerts.map((a: Json) => [a.id, a.kind, a.state]),
  };
}

async function loginTo(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'demo-nurse', password: 'demo-nurse' }),
  });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** A sustained-distress episode from the device, until the server has opened its alert. */
async function raiseDistressAlert(server: RunningServer, device: TestDevice): Promise<void> {
  const client = await mqtt.connectAsync(server.mqttUrl, deviceConnectOptions(device));
  for (const w of makeEpisode(device.deviceId, 1, 15, new Date(), { distress: 0.9, confidence: 0.9 }))
    await client.publishAsync(topics.scores(device.deviceId), encodePayload('scores', w), { qos: 1 });
  await client.endAsync();
  const baseUrl = server.url.replace('localhost', '127.0.0.1');
  const nurse = await loginTo(baseUrl);
  await waitFor(async () => (await getJson(baseUrl, `/api/alerts?bedId=${device.bedId}`, nurse)).alerts.length > 0, 'the distress alert');
}

function startOn(env: Record<string, string>): Promise<RunningServer> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', LOG_LEVEL: 'error', NODE_ENV: 'test', ...env });
  return startServer(config, { logger: createLogger(config.LOG_LEVEL) });
}

const pgMajor = { dump: toolMajor('pg_dump'), restore: toolMajor('pg_restore') };
const pgSkip = !adminUrl
  ? 'DATABASE_URL is not set'
  : pgMajor.dump === null || pgMajor.restore === null
    ? 'pg_dump or pg_restore is not installed'
    : null;
if (pgSkip) console.warn(`SKIPPED: PostgreSQL backup and restore (pg_dump, pg_restore): ${pgSkip}.`);

describe.skipIf(pgSkip !== null)('PostgreSQL backup (pg_dump --format=custom) and restore (pg_restore) into a fresh database', () => {
  it('restores every table, and a server on the restored database shows the same ward, stays and alerts', async () => {
    const sourceUrl = await createScratchDatabaseUrl(adminUrl!);
    cleanups.push(() => dropScratchDatabase(adminUrl!, sourceUrl));
    const source = await startOn({ DATABASE_URL: sourceUrl });
    cleanups.push(() => source.stop());
    const { wardId, devices } = await seedTestWard(source, [{ consent: { camera: false, wearable: true } }, { consent: null }]);
    const sql = postgres(sourceUrl, { max: 1, onnotice: () => {} });
    const [{ server_version_num: serverVersion }] = (await sql`show server_version_num`) as unknown as [{ server_version_num: string }];
    await sql.end();
    // pg_dump refuses a newer server; a restore into an older one is not supported: same major version.
    expect(pgMajor.dump, 'pg_dump major version = server major version').toBe(Math.floor(Number(serverVersion) / 10000));
    expect(pgMajor.restore).toBe(pgMajor.dump);

    await raiseDistressAlert(source, devices[0]!);
    const before = await clinicalView(source.url.replace('localhost', '127.0.0.1'), wardId);
    expect(before.alerts.length).toBeGreaterThan(0);

    // The backup, taken while the server runs (pg_dump reads one consistent snapshot).
    const dump = join(work, 'attune.dump');
    execFileSync('pg_dump', ['--format=custom', `--file=${dump}`, sourceUrl]);
    await source.stop();
    const sourceTables = await fingerprint(sourceUrl);

    const restoredUrl = await createScratchDatabaseUrl(adminUrl!);
    cleanups.push(() => dropScratchDatabase(adminUrl!, restoredUrl));
    execFileSync('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${restoredUrl}`, dump]);
    expect(await fingerprint(restoredUrl)).toEqual(sourceTables);

    const restored = await startOn({ DATABASE_URL: restoredUrl });
    cleanups.push(() => restored.stop());
    const baseUrl = restored.url.replace('localhost', '127.0.0.1');
    expect((await fetch(`${baseUrl}/readyz`)).status).not.toBe(500);
    expect(await clinicalView(baseUrl, wardId)).toEqual(before);
  }, 120_000);
});

describe('embedded PGlite backup: stop the server, copy ATTUNE_DATA_DIR', () => {
  it('a server started on the copy shows the same ward and stays', async () => {
    const dataDir = join(work, 'data');
    const first = await startOn({ ATTUNE_DATA_DIR: dataDir });
    const { wardId } = await seedTestWard(first, [{ consent: { camera: false, wearable: true } }, { consent: null }]);
    const baseUrl = first.url.replace('localhost', '127.0.0.1');
    const before = await clinicalView(baseUrl, wardId);
    await first.stop();

    const copy = join(work, 'data-copy');
    cpSync(dataDir, copy, { recursive: true });
    rmSync(dataDir, { recursive: true, force: true });
    const restored = await startOn({ ATTUNE_DATA_DIR: copy });
    cleanups.push(() => restored.stop());
    const restoredUrl = restored.url.replace('localhost', '127.0.0.1');
    expect(await clinicalView(restoredUrl, wardId)).toEqual(before);
  }, 120_000);
});
