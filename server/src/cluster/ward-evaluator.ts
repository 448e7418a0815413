/**
 * Alert evaluation when several instances run (docs/scale-out.md). Any instance may store a
 * window (the broker's shared subscription hands each message to one of them), but only the
 * instance holding a ward's lease runs the clinical rules for that ward's stays, from the stored
 * windows, in seq order per device:
 *
 * - the instance that stored windows queues them for evaluation itself when it owns their ward
 *   (ingest does not wait: one ward's trouble must not hold up storing everyone's windows), or
 *   tells the others (`windows` on the cluster bus: the stays and the range of window ends) and
 *   the owner reads them back from the database;
 * - each ward has one queue, so a catch-up, a takeover rebuild and a forget never interleave; a
 *   step that runs longer than STEP_STUCK_MS fails readiness and the ward is given up, so another
 *   instance takes it over;
 * - per device, the last evaluated seq is kept; a repeated window is not evaluated again. A gap
 *   (seq 11 stored, 10 not yet: another instance may still be committing it) holds the device's
 *   later windows back for up to GAP_WAIT_MS on this instance's own clock, then evaluation goes
 *   on without it. Should the missing window be stored after all, the ward is rebuilt from the
 *   database (at most every LATE_REBUILD_EVERY_MS), which takes it into account;
 * - on taking a ward over, its stays' state is rebuilt by replaying their last 15 minutes
 *   (AlertService.rebuild), which also writes what the previous owner died before writing.
 */
import { performance } from 'node:perf_hooks';
import type { ClusterBus, ClusterMessage } from '../platform/cluster-bus.ts';
import type { Logger } from '../platform/logger.ts';
import type { RecentWindow, ScoreRepository } from '../repositories/score.repository.ts';
import type { AlertService } from '../services/alert.service.ts';
import type { StoredWindowRef, StoredWindowsSink } from '../services/stored-windows.ts';
import type { ClusterLeases } from './cluster-leases.ts';

const GAP_WAIT_MS = 5000;
/**
 * Also read back every owned ward's windows this often, in case a window was never announced (a
 * notification lost counts as a bus outage, which rebuilds every ward, so this is a backstop)...
 */
const SWEEP_EVERY_MS = 60_000;
/**
 * ...that ended within this much of now, read by the (stay_id, window_end) index. Reading 5 minutes
 * every 30 s showed as up to 2.3 s of dashboard lag every 30 s at 1,000 beds (test/bench/SCALE.md).
 */
const SWEEP_REACH_MS = 90_000;
/**
 * Each ward is swept at its own moment of the minute (from its id, on the wall clock, so a ward
 * taken over keeps its moment), checked every SWEEP_TICK_MS:
 * sweeping every owned ward at the same instant read ~18,000 rows at once at 1,000 beds and showed
 * as a dashboard lag spike of up to 0.7 s once a minute on a slow machine (test/bench/SCALE.md).
 */
const SWEEP_TICK_MS = 1000;
const LATE_REBUILD_EVERY_MS = 30_000;
const STEP_STUCK_MS = 30_000;
/** A ward given up because its evaluation was stuck is left to the others this long. */
const STUCK_WARD_AVOID_MS = 60_000;
/** Evaluated seqs remembered per device, to tell a late window from a repeated one. */
const SEQS_REMEMBERED = 512;

type WindowsMessage = Extract<ClusterMessage, { type: 'windows' }>;
type StoredWindow = Omit<RecentWindow, 'afterDistressResolution' | 'afterPainResolution'>;

interface PendingRange {
  stayIds: Set<string>;
  fromMs: number;
  toMs: number;
}

interface DeviceCursor {
  wardId: string;
  last: number;
  evaluated: Set<number>;
  /** The missing seq this device waits for, and since when (performance.now()). */
  gap: { seq: number; sinceMs: number } | null;
}

export class WardEvaluator implements StoredWindowsSink {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, PendingRange>();
  private readonly cursors = new Map<string, DeviceCursor>();
  /** Ward -> when its running step started (performance.now()). */
  private readonly stepStartedMs = new Map<string, number>();
  private readonly lastLateRebuildMs = new Map<string, number>();
  /** Ward -> when it is next read back (Date.now() ms). */
  private readonly nextSweepMs = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];

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
    this.timers.push(
      setInterval(() => this.sweepDueWards(Date.now()), SWEEP_TICK_MS),
      setInterval(() => this.giveUpStuckWards(), 5000),
    );
  }

  stop(): void {
    this.timers.forEach(clearInterval);
  }

  /** Wards whose evaluation step has been running too long, in words (readiness). */
  problem(): string | null {
    const stuck = this.stuckWards();
    return stuck.length === 0 ? null : `alert evaluation stuck for ${stuck.length} ward(s) (given up to another instance)`;
  }

  /** Called by ingest after its batch committed; queues owned wards' evaluation without waiting for it. */
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
    for (const m of byWard.values()) {
      if (this.deps.leases.ownsWard(m.wardId)) void this.catchUp(m);
      else this.deps.bus.send(m);
    }
  }

  wardGained(wardId: string): void {
    void this.enqueue(wardId, async () => {
      this.forget(wardId);
      const lastSeq = await this.deps.alerts.rebuild(this.deps.scores, new Date(), wardId);
      for (const [deviceId, seq] of lastSeq) this.noteEvaluated(wardId, deviceId, seq);
      this.deps.logger.info('ward rebuilt from stored windows', { wardId, devices: lastSeq.size });
    });
  }

  wardLost(wardId: string): void {
    void this.enqueue(wardId, async () => this.forget(wardId));
  }

  private forget(wardId: string): void {
    this.deps.alerts.forgetWard(wardId);
    for (const [deviceId, cursor] of this.cursors) if (cursor.wardId === wardId) this.cursors.delete(deviceId);
    this.pending.delete(wardId);
  }

  private noteEvaluated(wardId: string, deviceId: string, seq: number): void {
    const cursor = this.cursors.get(deviceId) ?? { wardId, last: seq, evaluated: new Set<number>(), gap: null };
    cursor.wardId = wardId;
    cursor.last = Math.max(cursor.last, seq);
    cursor.evaluated.add(seq);
    // Seqs are evaluated in increasing order, so the first one in the set is the oldest remembered.
    if (cursor.evaluated.size > SEQS_REMEMBERED) cursor.evaluated.delete(cursor.evaluated.values().next().value!);
    if (cursor.gap && cursor.gap.seq <= cursor.last) cursor.gap = null;
    this.cursors.set(deviceId, cursor);
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

  private sweepDueWards(nowMs: number): void {
    for (const wardId of this.deps.leases.ownedWardIds()) {
      let dueMs = this.nextSweepMs.get(wardId);
      if (dueMs === undefined) {
        // The next time the wall clock reaches the ward's moment of the minute.
        dueMs = nowMs + ((sweepPhaseMs(wardId) - (nowMs % SWEEP_EVERY_MS) + SWEEP_EVERY_MS) % SWEEP_EVERY_MS);
        this.nextSweepMs.set(wardId, dueMs);
      }
      if (dueMs > nowMs) continue;
      this.nextSweepMs.set(wardId, dueMs + SWEEP_EVERY_MS * Math.ceil((nowMs - dueMs + 1) / SWEEP_EVERY_MS));
      this.sweep(wardId, nowMs);
    }
  }

  /** The last minutes of the ward's active stays, read back in case a notification went missing. */
  private sweep(wardId: string, nowMs: number): void {
    void this.enqueue(wardId, async () => {
      if (!this.deps.leases.ownsWard(wardId)) return;
      const stayIds = await this.deps.scores.activeStayIdsOfWard(wardId);
      const rows = await this.deps.scores.windowsOfStays(stayIds, new Date(nowMs - SWEEP_REACH_MS), new Date(nowMs + SWEEP_REACH_MS));
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
    const nowMs = performance.now();
    const heldBack = new Set<string>();
    let late = false;
    for (const row of rows) {
      const { deviceId, seq } = row.window;
      if (heldBack.has(deviceId)) continue;
      const cursor = this.cursors.get(deviceId);
      if (cursor && seq <= cursor.last) {
        // Older than the newest evaluated: repeated, or stored after evaluation had gone on without it.
        if (!cursor.evaluated.has(seq) && seq > cursor.evaluated.values().next().value!) late = true;
        continue;
      }
      if (cursor && seq > cursor.last + 1) {
        if (cursor.gap?.seq !== cursor.last + 1) cursor.gap = { seq: cursor.last + 1, sinceMs: nowMs };
        if (nowMs - cursor.gap.sinceMs < GAP_WAIT_MS) {
          heldBack.add(deviceId);
          continue;
        }
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
      setTimeout(() => void this.catchUp(retry), GAP_WAIT_MS / 5).unref();
    }
    if (late) this.rebuildForLateWindow(wardId);
  }

  /** A window was stored after evaluation went on without it: replay the ward so it counts (throttled). */
  private rebuildForLateWindow(wardId: string): void {
    const nowMs = performance.now();
    if (nowMs - (this.lastLateRebuildMs.get(wardId) ?? -Infinity) < LATE_REBUILD_EVERY_MS) return;
    this.lastLateRebuildMs.set(wardId, nowMs);
    this.deps.logger.warn('a window was stored after later ones were evaluated: rebuilding the ward from the database', { wardId });
    this.wardGained(wardId);
  }

  private stuckWards(): string[] {
    const nowMs = performance.now();
    return [...this.stepStartedMs].filter(([, startedMs]) => nowMs - startedMs > STEP_STUCK_MS).map(([wardId]) => wardId);
  }

  private giveUpStuckWards(): void {
    for (const wardId of this.stuckWards()) {
      if (!this.deps.leases.ownsWard(wardId)) continue;
      this.deps.logger.error('alert evaluation of a ward is stuck: giving the ward to another instance', { wardId });
      void this.deps.leases.giveUpWard(wardId, STUCK_WARD_AVOID_MS);
    }
  }

  private enqueue(wardId: string, step: () => Promise<void>): Promise<void> {
    const run = async () => {
      this.stepStartedMs.set(wardId, performance.now());
      try {
        await step();
      } finally {
        this.stepStartedMs.delete(wardId);
      }
    };
    const next = (this.queues.get(wardId) ?? Promise.resolve()).then(run).catch((error: unknown) => {
      this.deps.logger.error('ward evaluation step failed; the sweep reads the windows again', { wardId, error: String(error) });
    });
    this.queues.set(wardId, next);
    void next.finally(() => {
      if (this.queues.get(wardId) === next) this.queues.delete(wardId);
    });
    return next;
  }
}

/** The ward's moment of the minute for its read-back (ms): spread by its id (FNV-1a), the same on every instance. */
export function sweepPhaseMs(wardId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < wardId.length; i++) hash = Math.imul(hash ^ wardId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % SWEEP_EVERY_MS;
}
