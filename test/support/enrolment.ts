/**
 * Agent enrolment as IT and the bedside machine do it: a token from the API, the real
 * `attune-agent` command line (enroll, run) as a child process, and a bed with a patient and
 * consent but no device yet.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { call, type Json } from './api.ts';
import type { TestSystem } from './system.ts';

const AGENT_BIN = fileURLToPath(new URL('../../edge-agent/bin/attune-agent.mjs', import.meta.url));

/** Runs `attune-agent <args>` to completion. */
export function runAgentCli(args: string[], options: { stdin?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [AGENT_BIN, ...args], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.stdin ?? '');
  });
}

/** `attune-agent run --config <path>` as a long-running process; stop it with stopAgentProcess. */
export function startAgentProcess(configPath: string): ChildProcess & { stderrText: () => string } {
  const child = spawn(process.execPath, [AGENT_BIN, 'run', '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
  return Object.assign(child, { stderrText: () => stderr });
}

export async function stopAgentProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** POST /api/beds/:bedId/enrolment-tokens as IT; throws unless 201. */
export async function createEnrolmentToken(sys: TestSystem, itCookie: string, bedId: string, deviceId?: string): Promise<Json> {
  const res = await call(sys.baseUrl, 'POST', `/api/beds/${bedId}/enrolment-tokens`, {
    cookie: itCookie,
    body: deviceId ? { deviceId } : {},
  });
  if (res.status !== 201) throw new Error(`enrolment token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A new bed on the test ward with an admitted patient who consented to the wearable, and no device. */
export async function bedWithoutDevice(sys: TestSystem, label: string, position: number): Promise<{ bedId: string; stayId: string }> {
  const { wards, stays } = sys.server.repositories;
  const bedId = await wards.addBed(sys.wardId, label, position);
  const stayId = await stays.admit({ displayName: `Patient of ${label}` }, bedId, new Date(Date.now() - 3600_000));
  await sys.server.services.consent.record(
    stayId,
    { camera: false, wearable: true, actorKind: 'patient', language: 'en' },
    new Date(Date.now() - 3000_000),
  );
  return { bedId, stayId };
}
