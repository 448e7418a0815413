/**
 * A lean SSE client for the latency measurement (the parser of test/support/sse.ts). Under
 * load the stream carries one `score` event per stored window, so it parses only `alert`
 * events and stamps each with its arrival time (performance.now()) the moment it is parsed.
 */
import { readSseFrames } from '../../support/sse.ts';

export interface AlertArrival {
  at: number;
  data: { id: string; kind: string; stayId: string | null; [k: string]: unknown };
}

export interface AlertStream {
  /** Resolves with the arrival of the first `kind` alert event for this stay from now on. */
  nextAlert(stayId: string, kind: string): Promise<AlertArrival>;
  counts: Record<string, number>;
  close(): void;
}

export async function openAlertStream(url: string, cookie: string): Promise<AlertStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { cookie, accept: 'text/event-stream' }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`SSE connect failed: ${res.status}`);
  const waiting = new Map<string, (a: AlertArrival) => void>();
  const counts: Record<string, number> = {};
  void readSseFrames(res.body, (frame) => {
    const at = performance.now();
    counts[frame.event] = (counts[frame.event] ?? 0) + 1;
    if (frame.event !== 'alert') return;
    const alert = JSON.parse(frame.data) as AlertArrival['data'];
    const key = `${alert.stayId}:${alert.kind}`;
    const resolve = waiting.get(key);
    if (resolve) {
      waiting.delete(key);
      resolve({ at, data: alert });
    }
  });
  return {
    counts,
    close: () => controller.abort(),
    nextAlert: (stayId, kind) => new Promise((resolve) => waiting.set(`${stayId}:${kind}`, resolve)),
  };
}
