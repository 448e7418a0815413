/**
 * `attune admin` as a hospital's IT admin runs it on the server machine: a child process with the
 * server's environment creates the first IT admin, who then signs in through a started server with
 * the printed one-time password and must choose their own. On the embedded database the command
 * refuses while the server holds it (and the server refuses while the command does); on
 * PostgreSQL (when DATABASE_URL is set) it runs beside the server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabaseUrl, dropScratchDatabase } from '@attune/db/testing';
import { createLogger, loadConfig, startServer, type RunningServer } from '@attune/server';
import { call, cookieFrom } from '../support/api.ts';

const CLI = fileURLToPath(new URL('../../server/src/cli/attune.mjs', import.meta.url));

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Only what the server would have: no DATABASE_URL or data dir inherited from the test runner.
    const { DATABASE_URL: _d, ATTUNE_DATA_DIR: _a, MQTT_URL: _m, ...base } = process.env;
    execFile(process.execPath, [CLI, ...args], { env: { ...base, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const oneTimePasswordIn = (stdout: string) => {
  const match = /^\s{4}([a-z0-9]{4}(?:-[a-z0-9]{4}){3})$/m.exec(stdout);
  if (!match) throw new Error(`no one-time password in: ${stdout}`);
  return match[1]!;
};

function serverEnv(env: Record<string, string>) {
  return { PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env };
}

async function start(env: Record<string, string>, warnings: string[]): Promise<RunningServer> {
  const config = loadConfig(serverEnv(env));
  return startServer(config, {
    logger: createLogger('warn', {}, (line) => {
      warnings.push(line);
      return true;
    }),
  });
}

async function signInAndChange(server: RunningServer, username: string, oneTimePassword: string) {
  const baseUrl = server.url.replace('localhost', '127.0.0.1');
  const login = await call(baseUrl, 'POST', '/api/auth/login', { body: { username, password: oneTimePassword } });
  expect(login.status).toBe(200);
  expect(login.body.user).toMatchObject({ username, role: 'it_admin', mustChangePassword: true, wardIds: [] });
  const cookie = cookieFrom(login.headers, 'attune_session');
  expect((await call(baseUrl, 'GET', '/api/users', { cookie })).body.error.code).toBe('password_change_required');
  const changed = await call(baseUrl, 'POST', '/api/auth/password', {
    cookie,
    body: { currentPassword: oneTimePassword, newPassword: 'first admin of the hospital' },
  });
  expect(changed.status).toBe(200);
  const users = await call(baseUrl, 'GET', '/api/users', { cookie });
  expect(users.status).toBe(200);
  return users.body.users as { username: string; role: string }[];
}

describe('attune admin on the embedded database (PGlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'attune-cli-'));
  let server: RunningServer | null = null;
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the first IT admin while the server is stopped, and refuses while it runs', async () => {
    const env = { ATTUNE_DATA_DIR: dataDir };
    // Before the server ever ran there is no database: the command says so instead of making one.
    const early = await runCli(['admin', 'create', '--username', 'first.admin', '--role', 'it_admin'], env);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('No Attune database');

    const warnings: string[] = [];
    server = await start(env, warnings);
    expect(warnings.join('\n')).toContain('no active IT admin');
    expect(warnings.join('\n')).toContain('admin create');

    const busy = await runCli(['admin', 'create', '--username', 'first.admin', '--role', 'it_admin'], env);
    expect(busy.code).toBe(3);
    expect(busy.stderr).toContain('open in another process: the Attune server');
    expect(busy.stderr).toContain('stop the Attune server');
    await server.stop();
    server = null;

    const created = await runCli(
      ['admin', 'create', '--username', 'First.Admin', '--role', 'it_admin', '--display-name', 'Ada Admin'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created it_admin "first.admin" (Ada Admin)');
    const oneTimePassword = oneTimePasswordIn(created.stdout);

    expect((await runCli(['admin', 'create', '--username', 'first.admin', '--role', 'it_admin'], env)).code).toBe(1);
    const noWard = await runCli(['admin', 'create', '--username', 'nurse.one', '--role', 'nurse'], env);
    expect(noWard.code).toBe(1);
    expect(noWard.stderr).toContain('at least one ward');
    const badWard = await runCli(['admin', 'create', '--username', 'nurse.one', '--role', 'nurse', '--ward', 'Nowhere'], env);
    expect(badWard.code).toBe(1);
    expect(badWard.stderr).toContain('No ward named "Nowhere"');

    const moreWarnings: string[] = [];
    server = await start(env, moreWarnings);
    expect(moreWarnings.join('\n')).not.toContain('no active IT admin');
    const users = await signInAndChange(server, 'first.admin', oneTimePassword);
    expect(users).toEqual([expect.objectContaining({ username: 'first.admin', role: 'it_admin' })]);
    const audit = JSON.stringify(await server.db.query(`select action, detail from audit_log`));
    expect(audit).toContain('"via":"cli"');
    expect(audit).not.toContain(oneTimePassword);
  }, 240_000);

  it('refuses to start the server while the command holds the database', async () => {
    const lockFile = join(dataDir, 'pglite.lock');
    if (server) await server.stop();
    server = null;
    // A live process that is not the server: this test runner's parent (the lock is by process id).
    writeFileSync(
      lockFile,
      JSON.stringify({
        pid: process.ppid,
        hostname: hostname(),
        holder: 'attune admin',
        since: new Date().toISOString(),
      }),
    );
    try {
      await expect(start({ ATTUNE_DATA_DIR: dataDir }, [])).rejects.toThrow(/open in another process: attune admin/);
    } finally {
      rmSync(lockFile, { force: true });
    }
    // A lock left by a process that no longer runs is taken over.
    writeFileSync(
      lockFile,
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        hostname: hostname(),
        holder: 'attune admin',
        since: '2020-01-01T00:00:00Z',
      }),
    );
    server = await start({ ATTUNE_DATA_DIR: dataDir }, []);
  }, 120_000);
});

const adminUrl = process.env.DATABASE_URL;
describe.skipIf(!adminUrl)('attune admin on PostgreSQL', () => {
  let databaseUrl: string | undefined;
  let server: RunningServer | null = null;
  const dataDir = mkdtempSync(join(tmpdir(), 'attune-cli-pg-'));
  afterAll(async () => {
    await server?.stop();
    if (adminUrl && databaseUrl) await dropScratchDatabase(adminUrl, databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates an IT admin and resets a password while the server runs', async () => {
    databaseUrl = await createScratchDatabaseUrl(adminUrl!);
    const env = { DATABASE_URL: databaseUrl, ATTUNE_DATA_DIR: dataDir };
    server = await start(env, []);
    const created = await runCli(['admin', 'create', '--username', 'pg.admin', '--role', 'it_admin'], env);
    expect(created.code, created.stderr).toBe(0);
    await signInAndChange(server, 'pg.admin', oneTimePasswordIn(created.stdout));

    const reset = await runCli(['admin', 'reset-password', '--username', 'PG.Admin'], env);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('1 session(s) ended');
    const baseUrl = server.url.replace('localhost', '127.0.0.1');
    const login = await call(baseUrl, 'POST', '/api/auth/login', {
      body: { username: 'pg.admin', password: oneTimePasswordIn(reset.stdout) },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.mustChangePassword).toBe(true);
    expect((await runCli(['admin', 'reset-password', '--username', 'nobody'], env)).code).toBe(1);

    // A user of the hospital directory gets no Attune password from the command either.
    await server.db.query(
      `insert into app_user (username, display_name, role, password_hash, oidc_issuer, oidc_subject)
       values ('dir.nurse', 'Dir Nurse', 'it_admin', null, 'https://idp.example', 'sub-cli')`,
    );
    const directory = await runCli(['admin', 'reset-password', '--username', 'dir.nurse'], env);
    expect(directory.code).toBe(1);
    expect(directory.stderr).toContain('hospital account');
    const [stored] = await server.db.query<{ password_hash: string | null }>(
      `select password_hash from app_user where username = 'dir.nurse'`,
    );
    expect(stored!.password_hash).toBeNull();
  }, 240_000);
});

if (!adminUrl) console.warn('DATABASE_URL is not set: the attune admin command is tested on PGlite only (CI also runs it on PostgreSQL).');
