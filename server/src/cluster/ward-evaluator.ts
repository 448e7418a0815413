/**
 * Alert evaluation when several instances run (docs/scale-out.md). Any instance may store a
 * window (the broker's shared subscription hands each message to one of them), but only the
 * instance holding a ward's lease runs the clinical rules for that ward's stays, from the stored
 * windows, in seq order per device:
 *
 * - the instance that stored windows evaluates them itself when it owns their ward, or tells the
 *   others (`windows` on the cluster bus: the stays and the range of window ends) and the owner
 *   reads them back from the database;
 * - each ward has one queue, so a catch-up, a takeover rebuild and a forget never interleave;
 * - per device, the last evaluated seq is kept; an older or repeated window is not evaluated
 *   again. A gap (seq 11 stored, 10 not yet) waits up to GAP_WAIT_MS for the missing window
 *   (another instance may still be committing it), then evaluation goes on without it;
 * - on taking a ward over, its stays' state is rebuilt by replaying their last 15 minutes
 *   (AlertService.rebuild), which also opens an alert the previous owner died before writing.
 */
import type { ClusterBus, ClusterMessage } from '../platform/cluster-bus.ts';
import type { Logger } from '../platform/logger.ts';
import type { RecentWindow, ScoreRepository } from '../repositories/score.repository.ts';
import type { AlertService } from '../services/alert.service.ts';
import type { StoredWindowRef, StoredWindowsSink } from '../services/stored-windows.ts';
import type { ClusterLeases } from './cluster-leases.ts';

/** How long a gap in a device's seqs holds its later windows back. */
const GAP_WAIT_MS = 3000;
/** Also read back windows every this often for every owned ward, in case a notification was lost... */
const SWEEP_EVERY_MS = 30_000;
/** ...as far back as this. */
const SWEEP_REACH_MS = 5 * 60_000;

type WindowsMessage = Extract<ClusterMessage, { type: 'windows' }>;
type StoredWindow = Omit<RecentWindow, 'afterDistressResolution' | 'afterPainResolution'>;

interface PendingRange {
  stayIds: Set<string>;
  fromMs: number;
  toMs: number;
}

export class WardEvaluator implements StoredWindowsSink {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, PendingRange>();
  /** Device -> the last seq whose window went through the rules. */
  private readonly lastSeq = new Map<string, number>();
  private readonly devicesOfWard = new Map<string, Set<string>>();
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: { alerts: AlertService; scores: ScoreRepository; leases: ClusterLeases; bus: ClusterBus; logger: Logger },
  ) {
    deps.bus.on('windows', (message) => {
      if (deps.leases.ownsWard(message.wardId)) void this.catchUp(message);
    });
    deps.bus.onRecovered(() => {
      // Notifications may have been lost: start each owned ward again from the database.
      for (const wardId of deps.leases.ownedWardIds()) this.wardGained(wardId);
    });
    this.sweepTimer = setInterval(() => {
      const nowMs = Date.now();
      for (const wardId of deps.leases.ownedWardIds()) this.sweep(wardId, nowMs);
    }, SWEEP_EVERY_MS);
  }

  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  /** Called by ingest after its batch committed; resolves once owned wards are evaluated. */
  async windowsStored(windows: StoredWindowRef[]): Promise<void> {
    const byWard = new Map<string, WindowsMessage>();
    for (const w of windows) {
      if (!w.wardId) continue;
      const endMs = Date.parse(w.windowEnd);
      const m = byWard.get(w.wardId) ?? { type: 'windows', wardId: w.wardId, stayIds: [], fromWindowEndMs: endMs, toWindowEndMs: endMs };
      if (!m.stayIds.includes(w.stayId)) m.stayIds.push(w.stayId);
      m.fromWindowEndMs = Math.min(m.fromWindowEndMs, endMs);
      m.toWindowEndMs = Math.max(m.toWindowEndMs, endMs);
      byWard.set(w.wardId, m);
    }
    const own: Promise<void>[] = [];
    for (const m of byWard.values()) {
      if (this.deps.leases.ownsWard(m.wardId)) own.push(this.catchUp(m));
      else this.deps.bus.send(m);
    }
    await Promise.all(own);
  }

  wardGained(wardId: string): void {
    void this.enqueue(wardId, async () => {
      this.forget(wardId);
      const lastSeq = await this.deps.alerts.rebuild(this.deps.scores, new Date(), wardId);
      for (const [deviceId, seq] of lastSeq) this.noteEvaluated(wardId, deviceId, seq);
      this.deps.logger.info('ward taken over: rule state rebuilt from stored windows', { wardId, devices: lastSeq.size });
    });
  }

  wardLost(wardId: string): void {
    void this.enqueue(wardId, async () => this.forget(wardId));
  }

  private forget(wardId: string): void {
    this.deps.alerts.forgetWard(wardId);
    for (const deviceId of this.devicesOfWard.get(wardId) ?? []) this.lastSeq.delete(deviceId);
    this.devicesOfWard.delete(wardId);
    this.pending.delete(wardId);
  }

  private noteEvaluated(wardId: string, deviceId: string, seq: number): void {
    this.lastSeq.set(deviceId, seq);
    const devices = this.devicesOfWard.get(wardId) ?? new Set<string>();
    devices.add(deviceId);
    this.devicesOfWard.set(wardId, devices);
  }

  /** Merges the range into the ward's pending one; one read-back is queued per ward at a time. */
  private catchUp(m: WindowsMessage): Promise<void> {
    const existing = this.pending.get(m.wardId);
    if (existing) {
      for (const stayId of m.stayIds) existing.stayIds.add(stayId);
      existing.fromMs = Math.min(existing.fromMs, m.fromWindowEndMs);
      existing.toMs = Math.max(existing.toMs, m.toWindowEndMs);
      return this.queues.get(m.wardId) ?? Promise.resolve();
    }
    this.pending.set(m.wardId, { stayIds: new Set(m.stayIds), fromMs: m.fromWindowEndMs, toMs: m.toWindowEndMs });
    return this.enqueue(m.wardId, () => this.evaluatePending(m.wardId));
  }

  /** The last 15 minutes of the ward's active stays, read back in case a notification went missing. */
  private sweep(wardId: string, nowMs: number): void {
    void this.enqueue(wardId, async () => {
      if (!this.deps.leases.ownsWard(wardId)) return;
      const rows = await this.deps.scores.recentForActiveStays(new Date(nowMs - SWEEP_REACH_MS), wardId);
      rows.sort((a, b) => a.window.deviceId.localeCompare(b.window.deviceId) || a.window.seq - b.window.seq);
      await this.evaluate(wardId, rows, null);
    });
  }

  private async evaluatePending(wardId: string): Promise<void> {
    const range = this.pending.get(wardId);
    this.pending.delete(wardId);
    if (!range || !this.deps.leases.ownsWard(wardId)) return;
    const rows = await this.deps.scores.windowsOfStays([...range.stayIds], new Date(range.fromMs), new Date(range.toMs));
    await this.evaluate(wardId, rows, range);
  }

  /** Runs the rules over stored windows (sorted by device, then seq) not yet evaluated here. */
  private async evaluate(wardId: string, rows: StoredWindow[], range: PendingRange | null): Promise<void> {
    const nowMs = Date.now();
    const heldBack = new Set<string>();
    for (const row of rows) {
      const { deviceId, seq } = row.window;
      if (heldBack.has(deviceId)) continue;
      const last = this.lastSeq.get(deviceId);
      if (last !== undefined && seq <= last) continue;
      if (last !== undefined && seq > last + 1 && nowMs - row.receivedAt.getTime() < GAP_WAIT_MS) {
        // Another instance may still be committing the missing window: hold this device back a little.
        heldBack.add(deviceId);
        continue;
      }
      if (!this.deps.leases.ownsWard(wardId)) return; // lost meanwhile: the next owner rebuilds
      await this.deps.alerts.onScoreWindow(
        { stayId: row.stayId, deviceId, bedId: row.bedId, wardId: row.wardId ?? wardId },
        row.window,
        row.receivedAt,
      );
      this.noteEvaluated(wardId, deviceId, seq);
    }
    if (heldBack.size > 0 && range) {
      const retry: WindowsMessage = {
        type: 'windows',
        wardId,
        stayIds: [...range.stayIds],
        fromWindowEndMs: range.fromMs,
        toWindowEndMs: range.toMs,
      };
      setTimeout(() => void this.catchUp(retry), GAP_WAIT_MS).unref();
    }
  }

  private enqueue(wardId: string, step: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(wardId) ?? Promise.resolve()).then(step).catch((error: unknown) => {
      this.deps.logger.error('ward evaluation step failed; the sweep reads the windows again', { wardId, error: String(error) });
    });
    this.queues.set(wardId, next);
    void next.finally(() => {
      if (this.queues.get(wardId) === next) this.queues.delete(wardId);
    });
    return next;
  }
}
