/** Processes the ingest benchmark starts and measures: a private Mosquitto, free ports, CPU time. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { createLogger, randomSecret } from '@attune/server';
import { createDynsecAccounts } from '@attune/server/broker';
import { commandCpuSeconds, machineCpuSeconds, processCpuSeconds, sleep, type DeviceCredential, type Msg } from './common.ts';

import { root } from './config.ts';
import { freePort } from '../../support/free-port.ts';

export interface Mosquitto {
  url: string;
  pid: number;
  password: string;
  dir: string;
  version: string;
  stop(): Promise<void>;
}

export async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(join(os.tmpdir(), 'attune-bench-mosquitto-'));
  const port = await freePort();
  const password = randomSecret();
  const r = spawnSync('bash', [join(root, 'scripts/mosquitto.sh'), dir, String(port), password], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`mosquitto.sh failed: ${r.stderr}`);
  const url = /MQTT_URL=(\S+)/.exec(r.stdout)?.[1];
  if (!url) throw new Error(`mosquitto.sh printed no MQTT_URL: ${r.stdout}`);
  const pid = Number(readFileSync(join(dir, 'mosquitto.pid'), 'utf8').trim());
  const version = spawnSync('mosquitto', ['-h'], { encoding: 'utf8' }).stdout.split('\n')[0]?.trim() ?? 'unknown';
  return {
    url,
    pid,
    password,
    dir,
    version,
    async stop() {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      // Mosquitto saves its persistence file on the way out: wait for it before removing its folder.
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await sleep(50);
      }
      try {
        const logText = readFileSync(join(dir, 'mosquitto.log'), 'utf8').trim();
        if (logText) console.log(`mosquitto.log:\n${logText.split('\n').slice(-20).join('\n')}`);
      } catch {
        // no log
      }
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/**
 * Device accounts for the passthrough reference on Mosquitto, created with the server's own
 * provisioning code (dynamic security: one client and role per device) from a throwaway session.
 * Ids have the same length as the server's test devices, so every packet has the same size.
 */
export async function provisionMosquittoDevices(url: string, serverPassword: string, count: number): Promise<DeviceCredential[]> {
  const prefix = `t${randomSecret(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')
    .slice(0, 6)}`;
  const devices = Array.from({ length: count }, (_, i) => ({ deviceId: `${prefix}-bed-${i + 1}`, password: randomSecret() }));
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 4,
    clientId: 'attune-bench-provision',
    username: 'attune-server',
    password: serverPassword,
    clean: true,
    reconnectPeriod: 0,
  });
  try {
    const accounts = await createDynsecAccounts(client, 'attune-server', createLogger('error'));
    for (const d of devices) await accounts.provisionDevice(d.deviceId, d.password);
  } finally {
    await client.endAsync();
  }
  return devices;
}

/** CPU seconds used by each named process (and the whole machine) between two snapshots. */
export function cpuSnapshot(pids: Record<string, number | undefined>, withPostgres = false) {
  const per: Record<string, number | null> = {};
  for (const [name, pid] of Object.entries(pids)) per[name] = pid ? processCpuSeconds(pid) : null;
  if (withPostgres) per['postgres (all backends)'] = commandCpuSeconds('postgres');
  return { at: Date.now(), per, machine: machineCpuSeconds() };
}
export function cpuDelta(a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>) {
  const per: Record<string, number | null> = {};
  for (const name of Object.keys(a.per))
    per[name] = a.per[name] != null && b.per[name] != null ? +(b.per[name]! - a.per[name]!).toFixed(2) : null;
  const wall = (b.at - a.at) / 1000;
  const ours = Object.values(per).reduce<number>((sum, x) => sum + (x ?? 0), 0);
  return {
    wallS: +wall.toFixed(3),
    cpuS: per,
    machineBusyS: +(b.machine.busy - a.machine.busy).toFixed(2),
    /** Busy fraction of all cores. */
    machineUtilisation: +((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)).toFixed(3),
    /** Busy CPU not accounted to the processes above (exited publishers are counted by themselves; other users of this shared machine). */
    otherBusyS: +(b.machine.busy - a.machine.busy - ours).toFixed(2),
  };
}

export const cpuOf = (m: Msg) => {
  const c = m.cpu as { user: number; system: number } | undefined;
  return c ? round((c.user + c.system) / 1e6, 2) : null;
};
export const round = (x: number, d = 0) => (Number.isFinite(x) ? +x.toFixed(d) : x);

/** The machine a benchmark ran on, for its JSON. */
export function machineInfo() {
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    totalMemGiB: round(os.totalmem() / 2 ** 30, 1),
  };
}

/** Writes a benchmark's raw figures to test/bench/results/<bench>-<start time>.json (not committed). */
export function writeResults(bench: string, startedAt: Date, figures: Record<string, unknown>): { path: string; stamp: string } {
  const stamp = startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
  const dir = join(root, 'test/bench/results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${bench}-${stamp}.json`);
  writeFileSync(path, JSON.stringify({ bench, startedAt: startedAt.toISOString(), ...figures }, null, 2));
  return { path, stamp };
}
