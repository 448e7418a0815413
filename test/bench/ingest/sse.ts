/**
 * A lean SSE client for the latency measurement (same parsing as test/support/sse.ts). Under
 * load the stream carries one `score` event per stored window, so it parses only `alert`
 * events and stamps each with its arrival time (performance.now()) the moment it is parsed.
 */
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
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const at = performance.now();
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length === 0) continue;
          counts[event] = (counts[event] ?? 0) + 1;
          if (event !== 'alert') continue;
          const alert = JSON.parse(data.join('\n')) as AlertArrival['data'];
          const key = `${alert.stayId}:${alert.kind}`;
          const resolve = waiting.get(key);
          if (resolve) {
            waiting.delete(key);
            resolve({ at, data: alert });
          }
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    counts,
    close: () => controller.abort(),
    nextAlert: (stayId, kind) => new Promise((resolve) => waiting.set(`${stayId}:${kind}`, resolve)),
  };
}
