/** A minimal SSE client over fetch for tests: collects events as they arrive. */
export interface SseEvent {
  id: string | null;
  event: string;
  data: unknown;
  /** When the event arrived (Date.now()), for latency measurements. */
  receivedAtMs: number;
}

export interface SseClient {
  /** Every event but heartbeats, in order. */
  events: SseEvent[];
  /** `event: heartbeat` frames, kept apart: they carry no id and say only that the stream is alive. */
  heartbeats: SseEvent[];
  /** Settles when the server ends the stream (or close() is called). */
  ended: Promise<void>;
  waitFor(predicate: (e: SseEvent) => boolean, what: string, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

/** One event as sent: its id, name and data lines joined (comments and data-less blocks are skipped). */
export interface SseFrame {
  id: string | null;
  event: string;
  data: string;
}

/** Parses an event stream, calling `onFrame` as each event is complete; settles when the stream ends or is aborted. */
export async function readSseFrames(body: ReadableStream<Uint8Array>, onFrame: (frame: SseFrame) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let id: string | null = null;
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('id:')) id = line.slice(3).trim();
          else if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length > 0) onFrame({ id, event, data: data.join('\n') });
      }
    }
  } catch {
    // aborted
  }
}

export async function openSse(url: string, cookie: string, lastEventId?: string): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { cookie, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`SSE connect failed: ${res.status}`);
  const events: SseEvent[] = [];
  const heartbeats: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const ended = readSseFrames(res.body, (frame) => {
    const event = { id: frame.id, event: frame.event, data: JSON.parse(frame.data) as unknown, receivedAtMs: Date.now() };
    (frame.event === 'heartbeat' ? heartbeats : events).push(event);
    waiters.forEach((w) => w());
  });
  return {
    events,
    heartbeats,
    ended,
    close: () => controller.abort(),
    waitFor(predicate, what, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(predicate);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for SSE ${what}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
