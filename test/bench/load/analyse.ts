/**
 * Turns a run's raw observations into its figures: rows lost or doubled, lag from publish to the
 * server's receipt and to the dashboard, and alert latency with missing and duplicate alerts,
 * expected (the rule over each device's own windows) against observed (each SSE stream).
 */
import { quantile } from '../ingest/common.ts';
import { round } from '../ingest/processes.ts';
import type { TestDevice } from '../../support/system.ts';
import { WINDOW_MS, type BedPlan } from './plan.ts';
import { openingsSeen, type EventStream } from './streams.ts';

export const distribution = (values: number[]) => ({
  n: values.length,
  p50: round(quantile(values, 0.5), 1),
  p99: round(quantile(values, 0.99), 1),
  max: round(
    values.reduce((a, b) => Math.max(a, b), -Infinity),
    1,
  ),
});

export interface StoredRow {
  deviceId: string;
  seq: number;
  receivedMs: number;
}

export interface RunFacts {
  devices: TestDevice[];
  plans: BedPlan[];
  windows: number;
  t0: number;
  publishedAt: Map<string, number>;
  stored: StoredRow[];
  streams: EventStream[];
}

const key = (deviceId: string, seq: number) => `${deviceId} ${seq}`;

export function analyseRows(f: RunFacts) {
  const seen = new Set<string>();
  let duplicated = 0;
  const receiveLags: number[] = [];
  for (const r of f.stored) {
    const k = key(r.deviceId, r.seq);
    if (seen.has(k)) duplicated++;
    seen.add(k);
    const at = f.publishedAt.get(k);
    if (at !== undefined) receiveLags.push(r.receivedMs - at);
  }
  const lost = [...f.publishedAt.keys()].filter((k) => !seen.has(k)).length;
  return { rows: f.stored.length, distinct: seen.size, lost, duplicated, receiveLagMs: distribution(receiveLags) };
}

/** Publish -> the stored window's `score` event on each stream (the dashboard sees it). */
export function analyseScoreEvents(f: RunFacts) {
  return f.streams.map((s) => {
    const lags: number[] = [];
    // By when the window was published (5 s buckets from t0): a lag that grows is saturation, a spike is a stall.
    const buckets = new Map<number, number[]>();
    let expected = 0;
    f.devices.forEach((d, b) => {
      for (let k = 0; k < f.windows; k++) {
        const seq = k + 1;
        const at = f.publishedAt.get(key(d.deviceId, seq));
        if (at === undefined) continue;
        expected++;
        const end = new Date(f.t0 + f.plans[b]!.phaseMs + (k + 1) * WINDOW_MS).toISOString();
        const arrived = s.scores.get(`${d.stayId} ${end}`);
        if (arrived === undefined) continue;
        lags.push(arrived - at);
        const bucket = Math.floor((at - f.t0) / 5000) * 5;
        if (!buckets.has(bucket)) buckets.set(bucket, []);
        buckets.get(bucket)!.push(arrived - at);
      }
    });
    const lagOverTime = [...buckets].sort(([a], [b]) => a - b).map(([fromS, v]) => ({ fromS, ...distribution(v) }));
    return { instance: s.baseUrl, expected, seen: lags.length, lagMs: distribution(lags), lagOverTime };
  });
}

/** Expected alert openings (by the rule, per stay) against those each stream showed, paired in order. */
export function analyseAlerts(f: RunFacts) {
  return f.streams.map((s) => {
    const openings = openingsSeen(s.alerts);
    const latencies: number[] = [];
    let expected = 0;
    let missing = 0;
    let duplicate = 0;
    const perEpisode: { deviceId: string; seq: number; latencyMs: number | null }[] = [];
    f.devices.forEach((d, b) => {
      const want = f.plans[b]!.expectedDistressOpens;
      const got = openings.get(`${d.stayId} sustained_distress`) ?? [];
      expected += want.length;
      want.forEach((k, i) => {
        const publishedAt = f.publishedAt.get(key(d.deviceId, k + 1));
        const arrival = got[i];
        if (!arrival || publishedAt === undefined) {
          missing++;
          perEpisode.push({ deviceId: d.deviceId, seq: k + 1, latencyMs: null });
          return;
        }
        latencies.push(arrival.at - publishedAt);
        perEpisode.push({ deviceId: d.deviceId, seq: k + 1, latencyMs: round(arrival.at - publishedAt, 1) });
      });
      duplicate += Math.max(0, got.length - want.length);
    });
    const expectedPain = f.plans.reduce((a, p) => a + p.expectedPainOpens.length, 0);
    const painSeen = [...openings].filter(([k]) => k.endsWith(' possible_pain')).reduce((a, [, v]) => a + v.length, 0);
    const kinds: Record<string, number> = {};
    for (const list of openings.values()) for (const a of list) kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
    return {
      instance: s.baseUrl,
      expected,
      observed: latencies.length,
      missing,
      duplicate,
      possiblePain: { expected: expectedPain, observed: painSeen },
      openingsByKind: kinds,
      latencyMs: distribution(latencies),
      perEpisode,
    };
  });
}
