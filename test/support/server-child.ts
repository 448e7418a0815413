/**
 * Starts test/support/server-process.ts in a process of its own, for tests that kill the server with
 * SIGKILL, and reads the `READY` line it prints once it accepts connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER_PROCESS = fileURLToPath(new URL('./server-process.ts', import.meta.url));

export interface ServerChild {
  /** Given at once, so that a test can kill a server that never gets ready. */
  process: ChildProcess;
  /** Where the server listens, once it accepts connections; rejects if it exits first. */
  ready: Promise<{ baseUrl: string; mqttUrl: string }>;
}

/** `name` says which server it was in the error when it exits before it is ready. */
export function startServerProcess(env: NodeJS.ProcessEnv, name = 'server process'): ServerChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', SERVER_PROCESS], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<{ baseUrl: string; mqttUrl: string }>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('READY '));
      if (line) resolve(JSON.parse(line.slice(6)) as { baseUrl: string; mqttUrl: string });
    });
    proc.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
  });
  return { process: proc, ready };
}
