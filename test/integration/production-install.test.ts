/**
 * The install IT makes, end to end: `npm run build`, the release tarball (scripts/release.sh),
 * scripts/install-server.sh and scripts/install-agent.sh into a temporary root (`npm ci
 * --omit=dev`: no tsx, no TypeScript, no sources), then the commands the systemd units run: the
 * first IT admin (`attune admin create`), the server on the embedded defaults with
 * NODE_ENV=production until /readyz answers 200, and an agent on its simulated wristband whose
 * windows the server stores; then an upgrade to a next release installed beside it and the rollback
 * to the previous one. docs/deploy.md points here for each of these steps.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, startServer } from '@attune/server';
import { bedsideAgentConfig } from '../support/bedside-agent.ts';
import { readMetric } from '../support/metrics.ts';
import { freePort } from '../support/free-port.ts';
import { buildRelease, REPO_ROOT, runInstalled, runInstaller, startInstalled, type RunningCommand } from '../support/production-install.ts';
import { seedTestWard, waitFor, type TestDevice } from '../support/system.ts';

const work = mkdtempSync(join(tmpdir(), 'attune-prod-'));
const root = join(work, 'root');
const server = join(root, 'opt/attune/current');
const agent = join(root, 'opt/attune-agent/current');
const running: RunningCommand[] = [];

afterAll(async () => {
  for (const command of running) await command.stop();
  rmSync(work, { recursive: true, force: true });
});

function hasSystemdAnalyze(): boolean {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts the installed server with plain node and waits for /readyz 200. */
async function startReadyServer(serverDir: string, env: Record<string, string>): Promise<RunningCommand> {
  const attuneServer = startInstalled(join(serverDir, 'server/bin/attune-server.mjs'), [], env);
  running.push(attuneServer);
  await waitFor(
    async () =>
      attuneServer.child.exitCode === null &&
      (await fetch(`http://127.0.0.1:${env.PORT}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      )),
    `/readyz 200 from the installed server (output: ${attuneServer.output()})`,
    90_000,
  );
  return attuneServer;
}

describe('production install from the release tarball (npm ci --omit=dev)', () => {
  let serverInstallOutput = '';
  let agentInstallOutput = '';
  let tarball = '';
  /** The installed server's environment, set by the run test and reused by the upgrade test. */
  let serverEnv: Record<string, string> | null = null;

  beforeAll(async () => {
    tarball = await buildRelease(join(work, 'release'));
    // The two machines' installs are independent: made side by side.
    [serverInstallOutput, agentInstallOutput] = await Promise.all([
      runInstaller('install-server.sh', tarball, root),
      runInstaller('install-agent.sh', tarball, root, ['--server', 'https://attune.test']),
    ]);
  }, 300_000);

  it('installs the build without sources or dev tooling, with the models, units and commands', () => {
    for (const dir of [server, agent]) {
      expect(existsSync(join(dir, 'server/src')), `${dir}: no TypeScript sources`).toBe(false);
      expect(existsSync(join(dir, 'node_modules/tsx')), `${dir}: no tsx`).toBe(false);
      expect(existsSync(join(dir, 'node_modules/typescript')), `${dir}: no typescript`).toBe(false);
    }
    expect(existsSync(join(server, 'server/dist/main.js'))).toBe(true);
    expect(existsSync(join(server, 'dashboard/build/index.html'))).toBe(true);
    expect(existsSync(join(server, 'db/migrations/meta/_journal.json'))).toBe(true);
    // The agent machine gets the agent's dependencies only.
    expect(existsSync(join(agent, 'node_modules/onnxruntime-node'))).toBe(true);
    expect(existsSync(join(agent, 'node_modules/aedes'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(agent, 'models/manifest.json'), 'utf8')) as { models: { file: string }[] };
    for (const m of manifest.models) expect(existsSync(join(agent, 'models', m.file)), m.file).toBe(true);

    const unit = readFileSync(join(root, 'etc/systemd/system/attune-agent.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/\S*node \/opt\/attune-agent\/current\/edge-agent\/bin\/attune-agent\.mjs run /m);
    expect(readFileSync(join(root, 'etc/systemd/system/attune-server.service'), 'utf8')).toContain(
      'EnvironmentFile=/etc/attune/server.env',
    );
    expect(readFileSync(join(root, 'etc/attune/server.env'), 'utf8')).toContain('DATABASE_URL=');
    expect(serverInstallOutput).toContain('systemctl enable --now attune-server');
    expect(agentInstallOutput).toContain('attune-agent enroll --server https://attune.test --token <TOKEN>');
  });

  it.skipIf(!hasSystemdAnalyze())('ships systemd units that systemd-analyze verify accepts', () => {
    const units = ['attune-server.service', 'attune-agent.service'].map((u) => join(REPO_ROOT, 'deploy/systemd', u));
    // Prints nothing and exits 0 when the units are valid; throws with systemd's complaint otherwise.
    expect(execFileSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
  });

  it('runs the first-admin command, the server and an agent from the install, with plain node', async () => {
    const dataDir = join(work, 'server-data');
    // A ward with one consented bed, made by the development server on the same data folder.
    let device: TestDevice;
    {
      const config = loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MQTT_PORT: '0',
        ATTUNE_DATA_DIR: dataDir,
        LOG_LEVEL: 'error',
        NODE_ENV: 'test',
      });
      const seeding = await startServer(config, { logger: createLogger(config.LOG_LEVEL) });
      [device] = (await seedTestWard(seeding, [{ consent: { camera: false, wearable: true } }])).devices as [TestDevice];
      await seeding.stop();
    }
    const port = await freePort();
    const mqttPort = await freePort();
    const env = { NODE_ENV: 'production', ATTUNE_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port), MQTT_PORT: String(mqttPort) };
    serverEnv = env;

    const admin = runInstalled(
      join(server, 'server/bin/attune.mjs'),
      ['admin', 'create', '--username', 'it-lead', '--role', 'it_admin'],
      env,
    );
    expect(admin.output).toMatch(/[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}/);
    expect(admin.status).toBe(0);

    const attuneServer = await startReadyServer(server, env);
    const baseUrl = `http://127.0.0.1:${port}`;
    expect(attuneServer.output()).not.toContain('no active IT admin');
    expect((await fetch(`${baseUrl}/`)).headers.get('content-type')).toContain('text/html');

    const agentDir = join(work, 'agent-data');
    const configFile = join(work, 'agent.json');
    writeFileSync(
      configFile,
      JSON.stringify(bedsideAgentConfig(device, { mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, dataDir: agentDir, windowMs: 1000, seed: 12 })),
    );
    const agentBin = join(agent, 'edge-agent/bin/attune-agent.mjs');
    const doctor = runInstalled(agentBin, ['doctor', '--config', configFile], {});
    expect(doctor.output).toMatch(/ok .*wearable-distress/);
    expect(doctor.output).not.toContain('FAIL');
    expect(doctor.status).toBe(0);

    const attuneAgent = startInstalled(agentBin, ['run', '--config', configFile], {});
    running.push(attuneAgent);
    await waitFor(
      async () => (await readMetric(baseUrl, 'attune_ingest_messages_total', { result: 'accepted' })) > 0,
      `windows from the installed agent stored (agent output: ${attuneAgent.output()})`,
      90_000,
    );
    expect(await attuneAgent.stop()).toBe(0);
    expect(await attuneServer.stop()).toBe(0);
  }, 240_000);

  it('upgrades to the next release beside the running one, and rolls back with one link (docs/deploy.md "Upgrade")', async () => {
    expect(serverEnv, 'the run test set up the installed server first').not.toBeNull();
    const env = serverEnv!;
    // The next release: the same build unpacked under another name, as a new version's tarball would be.
    const previous = tarballName(tarball);
    const next = `${previous}-next`;
    const unpacked = join(work, 'next');
    execFileSync('mkdir', ['-p', unpacked]);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
    execFileSync('mv', [join(unpacked, previous), join(unpacked, next)]);
    await runInstaller('install-server.sh', join(unpacked, next), root);
    expect(realpathSync(server)).toBe(join(root, 'opt/attune/releases', next));
    expect(existsSync(join(root, 'opt/attune/releases', previous)), 'the previous release stays for a rollback').toBe(true);

    // The upgraded server starts on the same data: the IT admin made before is still there.
    const upgraded = await startReadyServer(server, env);
    expect(upgraded.output()).not.toContain('no active IT admin');
    expect(await upgraded.stop()).toBe(0);

    // Rollback: point `current` at the previous release again and start it.
    execFileSync('ln', ['-sfn', `releases/${previous}`, join(root, 'opt/attune/current')]);
    expect(realpathSync(server)).toBe(join(root, 'opt/attune/releases', previous));
    const rolledBack = await startReadyServer(server, env);
    expect(rolledBack.output()).not.toContain('no active IT admin');
    expect(await rolledBack.stop()).toBe(0);
  }, 240_000);
});

/** The release's folder name: the tarball's first entry. */
function tarballName(tarball: string): string {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n')[0]!.replace(/\/$/, '');
}
