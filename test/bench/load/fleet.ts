/**
 * The simulated agents as a whole: beds split over a few publisher processes (agents.ts), started
 * together at one t0, their publish times gathered per (device, seq); and the broker-only
 * reference that replays the same agents' first windows to a plain subscriber.
 */
import mqtt from 'mqtt';
import { subscriptions } from '@attune/protocol';
import { Child, quantile, type DeviceCredential } from '../ingest/common.ts';
import { loadChildFile, nowMs, type AgentsJob } from './common.ts';
import { WINDOW_MS, type BedPlan } from './plan.ts';

export interface FleetResult {
  /** `${deviceId} ${seq}` -> publish time (epoch ms). */
  publishedAt: Map<string, number>;
  published: number;
  /** Status heartbeats published (every 20 s per agent). */
  statuses: number;
  acked: number;
  failed: number;
  maxLateMs: number;
  cpuS: number[];
}

export class Fleet {
  private constructor(
    private readonly children: Child[],
    private readonly slices: DeviceCredential[][],
    private readonly seqBase: number,
  ) {}

  static async start(
    mqttUrl: string,
    devices: DeviceCredential[],
    plans: BedPlan[],
    windows: number,
    seqBase: number,
    perProcess: number,
  ): Promise<Fleet> {
    const slices: DeviceCredential[][] = [];
    const children: Child[] = [];
    for (let from = 0; from < devices.length; from += perProcess) {
      const slice = devices.slice(from, from + perProcess);
      const child = new Child(`agents-${children.length + 1}`, loadChildFile('agents'));
      const job: AgentsJob = {
        mqttUrl,
        devices: slice.map((d) => ({ deviceId: d.deviceId, password: d.password })),
        plans: plans
          .slice(from, from + perProcess)
          .map((p) => ({ phaseMs: p.phaseMs, distress: p.distress, confidence: p.confidence, face: p.face })),
        windows,
        seqBase,
      };
      child.send({ type: 'job', ...job });
      slices.push(slice);
      children.push(child);
    }
    await Promise.all(children.map((c) => c.next('ready', 300_000)));
    return new Fleet(children, slices, seqBase);
  }

  get pids(): Record<string, number | undefined> {
    return Object.fromEntries(this.children.map((c) => [c.name, c.proc.pid]));
  }

  go(t0: number): void {
    for (const c of this.children) c.send({ type: 'go', t0 });
  }

  async finish(timeoutMs: number): Promise<FleetResult> {
    const result: FleetResult = { publishedAt: new Map(), published: 0, statuses: 0, acked: 0, failed: 0, maxLateMs: 0, cpuS: [] };
    const dones = await Promise.all(this.children.map((c) => c.next('done', timeoutMs)));
    dones.forEach((done, j) => {
      (done.publishedAt as number[][]).forEach((times, i) =>
        times.forEach((at, k) => {
          if (at > 0) result.publishedAt.set(`${this.slices[j]![i]!.deviceId} ${this.seqBase + k + 1}`, at);
        }),
      );
      result.published += Number(done.published);
      result.statuses += Number(done.statuses);
      result.acked += Number(done.acked);
      result.failed += Number(done.failed);
      result.maxLateMs = Math.max(result.maxLateMs, Number(done.maxLateMs));
      const cpu = done.cpu as { user: number; system: number };
      result.cpuS.push((cpu.user + cpu.system) / 1e6);
    });
    return result;
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.map((c) => c.stop()));
  }
}

/**
 * Broker-only reference with the same agents: their first `windows` windows, paced as in the run,
 * to one plain subscriber (QoS 1, clean session, the server identity) that stamps each arrival.
 * Lag = publish -> arrival at the subscriber: the floor under the end-to-end lag.
 */
export async function runPacedPassthrough(
  broker: { url: string; username: string; password: string },
  devices: DeviceCredential[],
  plans: BedPlan[],
  windows: number,
  perProcess: number,
) {
  const sub = await mqtt.connectAsync(broker.url, {
    protocolVersion: 4,
    clientId: 'attune-load-reference',
    username: broker.username,
    password: broker.password,
    clean: true,
    reconnectPeriod: 0,
  });
  const arrivals = new Map<string, number>();
  let received = 0;
  sub.on('message', (_topic, payload) => {
    const at = nowMs();
    received++;
    const { deviceId, seq } = JSON.parse(payload.toString()) as { deviceId: string; seq: number };
    arrivals.set(`${deviceId} ${seq}`, at);
  });
  await sub.subscribeAsync(subscriptions.allScores, { qos: 1 });
  const seqBase = 1_000_000;
  const fleet = await Fleet.start(broker.url, devices, plans, windows, seqBase, perProcess);
  try {
    fleet.go(Date.now() + 1000);
    const result = await fleet.finish(windows * WINDOW_MS + 120_000);
    const deadline = Date.now() + 10_000;
    while (arrivals.size < result.published && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const lags = [...result.publishedAt].flatMap(([key, at]) => (arrivals.has(key) ? [arrivals.get(key)! - at] : []));
    return {
      windowsPerAgent: windows,
      published: result.published,
      received,
      lost: result.published - arrivals.size,
      lagMs: { p50: quantile(lags, 0.5), p99: quantile(lags, 0.99), max: lags.reduce((a, b) => Math.max(a, b), -Infinity) },
      generatorMaxLateMs: result.maxLateMs,
    };
  } finally {
    await fleet.stop();
    await sub.endAsync();
  }
}
