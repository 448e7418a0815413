/**
 * Fan-out of board and alert changes to SSE clients, with a ring buffer so a client that
 * reconnects with Last-Event-ID gets what it missed. One instance: in process. Several instances
 * (ATTUNE_INSTANCE_ID): every event goes through the cluster bus (PostgreSQL NOTIFY) and comes back
 * to every instance, this one included, with an id from a database sequence, so every instance's
 * buffer holds the same events in the same order and a client may resume on any of them.
 */
import type { LiveEventPayloads, LiveEventType } from '@attune/protocol/api';
import type { ClusterBus } from './cluster-bus.ts';

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
  private bus: ClusterBus | null = null;
  constructor(private readonly capacity = 2000) {}

  /** Several instances: publish through the bus, deliver what comes back (docs/scale-out.md). */
  shareThrough(bus: ClusterBus): void {
    this.bus = bus;
    bus.onLive((event) => this.deliver(event as LiveEvent));
    // Events may have been lost while the bus was down: every client reloads what it shows.
    bus.onRecovered(() => this.deliver({ id: -1, type: 'reset', wardId: null, data: {} } as LiveEvent));
  }

  publish<K extends LiveEventType>(type: K, wardId: string | null, data: LiveEventPayloads[K]): void {
    if (this.bus) return this.bus.sendLive({ type, wardId, data });
    this.deliver({ id: this.nextId++, type, wardId, data } as LiveEvent);
  }

  private deliver(event: LiveEvent): void {
    if (event.id >= 0) {
      this.buffer.push(event);
      if (this.buffer.length > this.capacity) this.buffer.shift();
    }
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Events after the one numbered `lastId`, or null when the buffer does not hold it (too old, or
   * from before this process started). Found by position, not by comparing ids: across instances
   * ids follow the database sequence, not strictly the order PostgreSQL delivered the events in.
   */
  since(lastId: number): LiveEvent[] | null {
    if (!this.bus && lastId === this.nextId - 1) return [];
    for (let i = this.buffer.length - 1; i >= 0; i--) if (this.buffer[i]!.id === lastId) return this.buffer.slice(i + 1);
    return null;
  }

  /** False while several instances cannot hear each other: this instance's stream is missing events. */
  isHealthy(): boolean {
    return this.bus?.isHealthy() ?? true;
  }

  get clientCount(): number {
    return this.listeners.size;
  }
}
