/**
 * A production install as IT makes it, for tests: `npm run build` (the TypeScript of each package
 * to its dist/, and the dashboard), scripts/release.sh (the release tarball), then
 * scripts/install-server.sh and scripts/install-agent.sh with `--root` into a temporary folder
 * (`npm ci --omit=dev` from the npm cache: no tsx, no TypeScript sources). And the commands run
 * from there, as attune-server.service and attune-agent.service run them.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureDashboardBuilt } from './dashboard-build.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sh(file: string, args: string[], cwd = REPO_ROOT): string {
  return execFileSync(file, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_prefer_offline: 'true' },
  });
}

/** `npm run build` (the dashboard only when stale, shared with the browser tests), then the release tarball. */
export async function buildRelease(outDir: string): Promise<string> {
  sh('npx', ['tsc', '-b', 'tsconfig.build.json']);
  await ensureDashboardBuilt();
  return sh('bash', ['scripts/release.sh', '--no-build', '--out', outDir]).trim();
}

/** Runs an installer of the release (`install-server.sh` or `install-agent.sh`) with `--root`; resolves to what it printed. */
export async function runInstaller(
  script: 'install-server.sh' | 'install-agent.sh',
  tarball: string,
  root: string,
  extra: string[] = [],
): Promise<string> {
  const args = [join(REPO_ROOT, 'scripts', script), '--from', tarball, '--root', root, ...extra];
  const { stdout } = await promisify(execFile)('bash', args, {
    cwd: REPO_ROOT,
    env: { ...process.env, npm_config_prefer_offline: 'true' },
  });
  return stdout;
}

export interface RunningCommand {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, and waits for the exit code. */
  stop(): Promise<number | null>;
}

/** Starts an installed command with plain node (no loader, no tsx), as the systemd units do. */
export function startInstalled(bin: string, args: string[], env: Record<string, string>): RunningCommand {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs an installed command to its end; returns its exit code and output. */
export function runInstalled(bin: string, args: string[], env: Record<string, string>): { status: number | null; output: string } {
  try {
    const output = execFileSync(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: 0, output };
  } catch (error) {
    const e = error as { status: number | null; stdout?: string; stderr?: string };
    return { status: e.status, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
