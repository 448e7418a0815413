/**
 * In-process fan-out of board and alert changes to SSE clients, with a ring buffer so a client
 * that reconnects with Last-Event-ID gets what it missed. (Across instances this becomes
 * PostgreSQL LISTEN/NOTIFY; see docs/architecture.md.)
 */
import type { LiveEventPayloads, LiveEventType } from '@attune/protocol/api';

export type { LiveEventPayloads, LiveEventType };

/** One published event: its name and payload as the contract (@attune/protocol/api) pairs them. */
export type LiveEvent = {
  [K in LiveEventType]: {
    id: number;
    type: K;
    /** Ward the event concerns; null for events every client may see. */
    wardId: string | null;
    data: LiveEventPayloads[K];
  };
}[LiveEventType];
type Listener = (event: LiveEvent) => void;

export class LiveEvents {
  private nextId = 1;
  private readonly buffer: LiveEvent[] = [];
  private readonly listeners = new Set<Listener>();
  constructor(private readonly capacity = 2000) {}

  publish<K extends LiveEventType>(type: K, wardId: string | null, data: LiveEventPayloads[K]): LiveEvent {
    const event = { id: this.nextId++, type, wardId, data } as LiveEvent;
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) this.buffer.shift();
    for (const listener of this.listeners) listener(event);
    return event;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `lastId`, or null when the buffer no longer reaches back that far. */
  since(lastId: number): LiveEvent[] | null {
    if (lastId >= this.nextId) return null;
    const oldest = this.buffer[0];
    if (lastId === this.nextId - 1) return [];
    if (!oldest || oldest.id > lastId + 1) return null;
    return this.buffer.filter((e) => e.id > lastId);
  }

  get clientCount(): number {
    return this.listeners.size;
  }
}
