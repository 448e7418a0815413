/**
 * Shared pieces of the ingest benchmark: the workload (which windows, in which order), the
 * messages its processes exchange over IPC, a tiny child-process RPC, and statistics.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodePayload, topics } from '@attune/protocol';
import { makeWindow } from '../../support/system.ts';

export interface DeviceCredential {
  deviceId: string;
  password: string;
}

/** A calm wearable window: nothing the alert rule acts on, so the run measures ingest itself. */
export const CALM = { distress: 0.2, confidence: 0.8 } as const;

export interface ThroughputWorkload {
  /** Windows per device; device d publishes seq seqBase+1 .. seqBase+perDevice. */
  perDevice: number;
  seqBase: number;
  /** windowEnd of seq seqBase+1 (epoch ms); later windows follow every spacingMs. */
  firstEndMs: number;
  spacingMs: number;
}

/** Encodes one device's windows (validated by the protocol schema, as the edge agent does). */
export function encodeDeviceWindows(deviceId: string, w: ThroughputWorkload): Buffer[] {
  return Array.from({ length: w.perDevice }, (_, i) =>
    encodePayload('scores', makeWindow(deviceId, w.seqBase + i + 1, new Date(w.firstEndMs + i * w.spacingMs), CALM)),
  );
}

export const scoresTopic = (deviceId: string) => topics.scores(deviceId);

// ---- IPC ------------------------------------------------------------------------------------

export type Msg = { type: string; [k: string]: unknown };

/** A forked TypeScript child (tsx loader inherited) with request/response helpers. */
export class Child {
  readonly proc: ChildProcess;
  private readonly inbox: Msg[] = [];
  private readonly waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  private exited: { code: number | null; signal: string | null } | null = null;
  private nextId = 1;

  constructor(
    readonly name: string,
    file: string,
    options: { env?: Record<string, string | undefined>; execArgv?: string[] } = {},
  ) {
    this.proc = fork(file, [], {
      env: { ...process.env, ...options.env },
      execArgv: [...process.execArgv, ...(options.execArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: Msg) => {
      const i = this.waiters.findIndex((w) => w.pred(m));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
      else this.inbox.push(m);
    });
    this.proc.on('error', () => {}); // a send racing the child's exit; 'exit' reports the outcome
    this.proc.on('exit', (code, signal) => {
      this.exited = { code, signal };
      for (const w of this.waiters.splice(0)) w.resolve({ type: 'exit', code, signal });
    });
  }

  send(m: Msg): void {
    if (this.proc.connected) this.proc.send(m);
  }

  /** Waits for a message of this type (fails if the child exits or reports an error first). */
  async next(type: string, timeoutMs = 120_000): Promise<Msg> {
    const pred = (m: Msg) => m.type === type || m.type === 'error';
    const i = this.inbox.findIndex(pred);
    let m: Msg;
    if (i >= 0) m = this.inbox.splice(i, 1)[0]!;
    else if (this.exited) throw new Error(`${this.name} exited (${JSON.stringify(this.exited)}) before '${type}'`);
    else {
      let timer: NodeJS.Timeout | undefined;
      m = await new Promise<Msg>((resolve, reject) => {
        this.waiters.push({ pred: (x) => pred(x) || x.type === 'exit', resolve });
        timer = setTimeout(() => reject(new Error(`${this.name}: no '${type}' within ${timeoutMs} ms`)), timeoutMs);
      }).finally(() => clearTimeout(timer));
    }
    if (m.type === 'error') throw new Error(`${this.name}: ${String(m.message)}`);
    if (m.type === 'exit') throw new Error(`${this.name} exited (${JSON.stringify(m)}) before '${type}'`);
    return m;
  }

  /** Request/response: the child answers {type: 'reply', id, ...}. */
  async call(m: Msg, timeoutMs = 120_000): Promise<Msg> {
    const id = this.nextId++;
    this.send({ ...m, id });
    for (;;) {
      const r = await this.next('reply', timeoutMs);
      if (r.id === id) return r;
    }
  }

  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    await done;
    clearTimeout(timer);
  }
}

export const childFile = (name: string) => fileURLToPath(new URL(`./${name}.ts`, import.meta.url));

/** In a child: the first message from the parent. */
export function firstMessage(): Promise<Msg> {
  return new Promise((resolve) => process.once('message', (m: Msg) => resolve(m)));
}

export function reportErrors(): void {
  const fail = (error: unknown) => {
    process.send?.({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    setTimeout(() => process.exit(1), 100);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}

// ---- CPU accounting ---------------------------------------------------------------------------

const CLOCK_TICKS = 100;

/** CPU seconds (user + system) of a process by pid, from /proc (Linux). */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
  } catch {
    return null;
  }
}

/** CPU seconds of every process whose command name is `comm` (e.g. all PostgreSQL backends). */
export function commandCpuSeconds(comm: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== comm) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Busy and total CPU seconds of the whole machine, from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

// ---- statistics -------------------------------------------------------------------------------

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function summary(values: number[]) {
  return {
    n: values.length,
    median: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    min: values.length ? Math.min(...values) : NaN,
    max: values.length ? Math.max(...values) : NaN,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
