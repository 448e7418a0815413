/**
 * What a nurse's dashboard receives: one SSE stream per server instance (`/api/events`, signed in
 * as a nurse assigned to every ward), each event stamped with its arrival time the moment it is
 * parsed. Alerts are kept whole (few); stored windows (`score` events) only as stay + windowEnd.
 */
import { readSseFrames } from '../../support/sse.ts';
import { nowMs } from './common.ts';

export interface AlertSeen {
  at: number;
  id: string;
  kind: string;
  stayId: string | null;
  conditionActive: boolean;
  priority: string;
}

export interface EventStream {
  baseUrl: string;
  alerts: AlertSeen[];
  /** `${stayId} ${windowEnd}` -> arrival (first only). */
  scores: Map<string, number>;
  counts: Record<string, number>;
  close(): void;
}

export async function loginNurse(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'demo-nurse', password: 'demo-nurse' }),
  });
  if (res.status !== 200) throw new Error(`login at ${baseUrl} failed: ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

export async function openEventStream(baseUrl: string): Promise<EventStream> {
  const cookie = await loginNurse(baseUrl);
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/events`, { headers: { cookie, accept: 'text/event-stream' }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`SSE connect to ${baseUrl} failed: ${res.status}`);
  const stream: EventStream = { baseUrl, alerts: [], scores: new Map(), counts: {}, close: () => controller.abort() };
  void readSseFrames(res.body, (frame) => {
    const at = nowMs();
    stream.counts[frame.event] = (stream.counts[frame.event] ?? 0) + 1;
    if (frame.event === 'alert') {
      const a = JSON.parse(frame.data) as Omit<AlertSeen, 'at'>;
      stream.alerts.push({ at, id: a.id, kind: a.kind, stayId: a.stayId, conditionActive: a.conditionActive, priority: a.priority });
    } else if (frame.event === 'score') {
      const s = JSON.parse(frame.data) as { stayId: string; windowEnd: string };
      const key = `${s.stayId} ${s.windowEnd}`;
      if (!stream.scores.has(key)) stream.scores.set(key, at);
    }
  }).catch(() => {});
  return stream;
}

/**
 * The alert openings a stream showed, per stay and kind, in arrival order: the first event of an
 * alert id, or a return to `conditionActive` of one that had cleared (a reactivation: one open
 * alert per stay and kind, so a new episode before a nurse resolved it fires the same alert again).
 */
export function openingsSeen(alerts: AlertSeen[]): Map<string, AlertSeen[]> {
  const lastActive = new Map<string, boolean>();
  const openings = new Map<string, AlertSeen[]>();
  for (const a of alerts) {
    const before = lastActive.get(a.id);
    lastActive.set(a.id, a.conditionActive);
    if (before === undefined || (!before && a.conditionActive)) {
      const key = `${a.stayId} ${a.kind}`;
      openings.set(key, [...(openings.get(key) ?? []), a]);
    }
  }
  return openings;
}
