/**
 * The ingest rules. A score window is stored only when: it decodes under the strict schema, topic
 * device = payload device (the broker has already tied the topic to the authenticated client), its
 * time is plausible against the server's clock (at most INGEST_MAX_CLOCK_SKEW_S ahead, at most
 * INGEST_MAX_AGE_H old), the device is enrolled and active, its bed had an active stay for the
 * window, and that stay's consent covers every modality in the message. Consent is checked at the
 * earlier of `windowEnd` and the receive time, so a device clock running ahead cannot reach past a
 * withdrawal. A message carrying a modality outside consent is dropped whole and raises a
 * technical alert. Rejections are counted by reason and logged with device, reason and size only,
 * never content.
 *
 * Durability: `handleMessage` resolves only once the message is durably handled: its window
 * committed (or refused), its status written (or replaced by a newer one of the same device,
 * status-writer.ts). The transport acknowledges the message to the broker (PUBACK) only then, so a
 * crash at any moment loses nothing: what was not committed was not acknowledged and the broker
 * delivers it again; (deviceId, seq) makes the second copy harmless.
 *
 * Isolation: accepted windows are written in batches (one multi-row INSERT ... ON CONFLICT DO
 * NOTHING). A batch that fails because of its data is split until the offending rows are found;
 * those are refused and everything else is stored, so one device's poison can never hold up
 * another's. Only failures to reach the database are retried (with backoff, as long as it takes).
 */
import { databaseErrorCode } from '@attune/db';
import { decodePayload, parseTopic, type ParsedTopic, type ScoreWindow } from '@attune/protocol';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { ScoreRepository, ScoreToStore } from '../repositories/score.repository.ts';
import type { AlertService } from './alert.service.ts';
import { NotStoredError, retryTransient } from './database-retry.ts';
import { clockRefusal, consentRefusal, type DeviceRejection, type RejectReason } from '../domain/window-admission.ts';
import { stayInBedDuring, type DeviceContextCache, type DeviceIngestContext } from './device-context.ts';
import type { DeviceStatusService } from './device-status.service.ts';
import { renderDrivers } from '../domain/driver-words.ts';
import type { LiveEvents } from '../platform/live-events.ts';
import type { StoredWindowsSink } from './stored-windows.ts';
import { StatusWriter } from './status-writer.ts';

interface PendingRow extends ScoreToStore {
  context: Pick<DeviceIngestContext, 'wardId' | 'bedId'>;
  /** Settles the message's `handleMessage` promise once the row is committed or refused. */
  settle: Settle;
}

interface Settle {
  resolve(): void;
  reject(error: Error): void;
}

/** A batch once inserted: the rows stored (new or already there) and those newly stored. */
interface StoredBatch {
  storedRows: PendingRow[];
  fresh: PendingRow[];
}

export interface IngestOptions {
  batchMaxRows: number;
  batchMaxWaitMs: number;
  /** Windows ending later than this after the receive time are refused (`future_window`). */
  maxClockSkewMs: number;
  /** Windows ending longer than this before the receive time are refused (`stale_window`). */
  maxAgeMs: number;
  /** A message waiting this long without being stored is a stall (readiness fails). */
  stallMs: number;
}

/**
 * Batches being written at once. Receiving and validating go on while a batch is written (the
 * database and this process work in parallel); beyond this many, receiving waits (backpressure).
 */
const MAX_BATCHES_IN_FLIGHT = 2;

export class IngestService {
  /** Receive chain: decode, check, collect — serialised so per-device order is kept. */
  private chain: Promise<void> = Promise.resolve();
  /** Store chain: batches are inserted strictly in arrival order (then their messages are acknowledged). */
  private stores: Promise<void> = Promise.resolve();
  /**
   * Follow-up chain: after its insert, each batch marks its devices seen, goes to the board and
   * through the alert rule, strictly in arrival order, while the next batch is already inserted.
   * It settles after everything before it: waiting on it waits for every write.
   */
  private followUps: Promise<void> = Promise.resolve();
  /** Statuses are written in waves beside the receive chain, at most one waiting per device (status-writer.ts). */
  private readonly statuses: StatusWriter;
  /** Batches not yet fully handled (stored and followed up). */
  private readonly batchesInFlight: Promise<void>[] = [];
  private pending: PendingRow[] = [];
  private closing = false;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Receive times of messages not yet durably handled, in arrival order (for the stall check). */
  private readonly waiting = new Map<object, number>();
  private readonly lastRejection = new Map<string, DeviceRejection>();
  /** When a score message last arrived on each device's topic, stored or not. */
  private readonly lastScoresReceivedMs = new Map<string, number>();
  /** When a window of each device was last committed (server clock): monitoring resumed then, whenever it was received. */
  private readonly lastCommittedMs = new Map<string, number>();

  constructor(
    private readonly deps: {
      contexts: DeviceContextCache;
      scores: ScoreRepository;
      deviceStatus: DeviceStatusService;
      alerts: AlertService;
      live: LiveEvents;
      metrics: Metrics;
      logger: Logger;
      /** Set with several instances; otherwise this process evaluates every window itself. */
      evaluation?: StoredWindowsSink;
    },
    private readonly options: IngestOptions,
  ) {
    this.statuses = new StatusWriter({
      deviceStatus: deps.deviceStatus,
      retry: (step, run) => this.retryTransient(step, run),
      metrics: deps.metrics,
      logger: deps.logger,
    });
  }

  /**
   * Called for every device message. Checking is serialised so per-device order is kept; the
   * promise resolves once the message is durably handled (stored, refused or recorded) and rejects
   * with NotStoredError when shutdown prevented that. Acknowledge the message only on resolve.
   */
  handleMessage(topic: string, payload: Buffer, receivedAt = new Date()): Promise<void> {
    // Once shutdown has begun nothing new is taken: it stays with the broker (or the agent) for the next start.
    if (this.closing) return Promise.reject(new NotStoredError('ingest is shutting down'));
    const token = {};
    this.waiting.set(token, receivedAt.getTime());
    const parsed = parseTopic(topic);
    if (parsed?.kind === 'scores') this.lastScoresReceivedMs.set(parsed.deviceId, receivedAt.getTime());
    const checked = this.chain.then(() => this.process(parsed, payload, receivedAt));
    this.chain = checked.then(
      () => undefined,
      () => undefined,
    );
    // `process` returns its pending write wrapped in an object, so the chain never waits for it.
    return checked
      .then((queued) => queued?.durable)
      .catch((error: unknown) => {
        if (error instanceof NotStoredError) throw error;
        // A bug in checking: refuse the message (counted and logged) rather than stop everyone's monitoring.
        this.reject('server_error', parsed?.deviceId ?? null, payload.byteLength, [String(error)]);
      })
      .finally(() => this.waiting.delete(token));
  }

  /**
   * Why ingest is stalled, in words, or null: a message has waited longer than INGEST_STALL_S to be
   * stored (the database is unreachable, a batch is stuck, the receive chain does not move).
   */
  stall(now: Date): string | null {
    const oldest = this.waiting.values().next();
    if (oldest.done) return null;
    const waitedMs = now.getTime() - oldest.value;
    return waitedMs < this.options.stallMs ? null : `a message has waited ${Math.round(waitedMs / 1000)} s to be stored`;
  }

  /** When a window of the device was last committed by this process, or null. */
  lastCommittedAt(deviceId: string): Date | null {
    const ms = this.lastCommittedMs.get(deviceId);
    return ms === undefined ? null : new Date(ms);
  }

  /** When a score message from the device last arrived (since this process started), stored or not. */
  lastScoresReceivedAt(deviceId: string): Date | null {
    const ms = this.lastScoresReceivedMs.get(deviceId);
    return ms === undefined ? null : new Date(ms);
  }

  /** The last rejection of a device's input since this process started, if any. */
  lastRejectionOf(deviceId: string): DeviceRejection | null {
    return this.lastRejection.get(deviceId) ?? null;
  }

  /** A database step, retried while the database cannot be reached (database-retry.ts). */
  private retryTransient<T>(step: string, run: () => Promise<T>): Promise<T> {
    return retryTransient(step, run, { closing: () => this.closing, metrics: this.deps.metrics, logger: this.deps.logger });
  }

  /** Shutdown: stop retrying a dead database forever, then write what is pending. */
  close(): Promise<void> {
    this.closing = true;
    return this.drain();
  }

  /** Writes whatever is pending and waits for every write (erasure, discharge, tests). */
  drain(): Promise<void> {
    this.chain = this.chain
      .then(() => this.flush())
      .then(() => this.followUps)
      .then(() => this.statuses.idle());
    return this.chain;
  }

  private reject(reason: RejectReason, deviceId: string | null, bytes: number, errors?: string[], skewS?: number): void {
    this.deps.metrics.ingestRejected.inc({ reason });
    if (deviceId) this.lastRejection.set(deviceId, { reason, at: new Date(), ...(skewS !== undefined ? { skewS } : {}) });
    // Field paths and rule names only; the payload itself is never logged.
    this.deps.logger.warn('ingest rejected', {
      reason,
      deviceId,
      bytes,
      ...(skewS !== undefined ? { skewS } : {}),
      ...(errors ? { errors: errors.slice(0, 5) } : {}),
    });
  }

  private async process(parsed: ParsedTopic | null, payload: Buffer, receivedAt: Date): Promise<{ durable: Promise<void> } | void> {
    if (!parsed || parsed.kind === 'consent') return this.reject('bad_topic', parsed?.deviceId ?? null, payload.byteLength);
    if (parsed.kind === 'status') {
      const status = decodePayload('status', payload);
      if (!status.ok) return this.reject(status.reason, parsed.deviceId, payload.byteLength, status.errors);
      if (status.value.deviceId !== parsed.deviceId) return this.reject('device_mismatch', parsed.deviceId, payload.byteLength);
      const context = await this.retryTransient('load_device', () => this.deps.contexts.get(parsed.deviceId));
      if (!context) return this.reject('unknown_device', parsed.deviceId, payload.byteLength);
      if (!context.isActive) return this.reject('inactive_device', parsed.deviceId, payload.byteLength);
      const received = { status: status.value, receivedAt, context };
      if (status.value.state === 'offline' && (this.pending.length > 0 || this.batchesInFlight.length > 0)) {
        // The device's earlier windows, still queued, would mark it online again after its Last
        // Will: they are written and followed up first. The offline status itself is not awaited
        // here: a device flooding offline statuses held the receive chain for a wave each, and
        // everyone's windows queued behind it for minutes (test/bench/SCALE.md). A later window
        // marked seen before the wave is written leaves the device offline until its next window.
        await this.flush();
        await this.followUps;
      }
      return { durable: this.statuses.record(received) };
    }

    const decoded = decodePayload('scores', payload);
    if (!decoded.ok) return this.reject(decoded.reason, parsed.deviceId, payload.byteLength, decoded.errors);
    const window = decoded.value;
    if (window.deviceId !== parsed.deviceId) return this.reject('device_mismatch', parsed.deviceId, payload.byteLength);

    const windowEnd = new Date(window.windowEnd);
    const skewMs = windowEnd.getTime() - receivedAt.getTime();
    const clock = clockRefusal(skewMs, this.options);
    if (clock) return this.reject(clock.reason, window.deviceId, payload.byteLength, undefined, clock.skewS);

    const context = await this.retryTransient('load_device', () => this.deps.contexts.get(window.deviceId));
    if (!context) return this.reject('unknown_device', window.deviceId, payload.byteLength);
    if (!context.isActive) return this.reject('inactive_device', window.deviceId, payload.byteLength);
    // The stay that occupied the device's bed for the whole window (bed history, so a transfer
    // hands neither the old bed's later windows nor the new bed's earlier ones to the patient).
    const stay = stayInBedDuring(context, new Date(window.windowStart), windowEnd);
    if (!stay) return this.reject('no_active_stay', window.deviceId, payload.byteLength);
    const refusal = consentRefusal(window, stay, skewMs > 0 ? receivedAt : windowEnd);
    if (refusal?.reason === 'outside_consent') {
      this.reject('outside_consent', window.deviceId, payload.byteLength);
      await this.retryTransient('consent_violation', () =>
        this.deps.alerts.raiseConsentViolation(
          { deviceId: window.deviceId, stayId: stay.id, bedId: context.bedId, wardId: context.wardId },
          refusal.outside,
          receivedAt,
        ),
      );
      return;
    }
    if (refusal) return this.reject(refusal.reason, window.deviceId, payload.byteLength);

    this.deps.metrics.ingestLag.observe(Math.max(0, -skewMs / 1000));
    let settle!: Settle;
    const durable = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.pending.push({ window, stayId: stay.id, receivedAt, context: { wardId: context.wardId, bedId: context.bedId }, settle });
    if (this.pending.length >= this.options.batchMaxRows) await this.flush();
    else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.chain = this.chain.then(() => this.flush());
      }, this.options.batchMaxWaitMs);
    }
    return { durable };
  }

  /** Hands the pending rows to the store chain; waits only when too many batches are in flight. */
  private async flush(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const stored = this.stores.then(() => this.storeBatch(batch));
    this.stores = stored.then(
      () => undefined,
      () => undefined,
    );
    const handled = Promise.all([this.followUps, stored])
      .then(([, result]) => this.followUp(result))
      .catch((error: unknown) => {
        // Only shutdown with the database unreachable gets here: nothing of the batch is acknowledged.
        this.deps.logger.error('ingest batch not stored; its messages stay unacknowledged', { rows: batch.length, error: String(error) });
        const notStored = error instanceof NotStoredError ? error : new NotStoredError(String(error));
        for (const row of batch) row.settle.reject(notStored);
      });
    this.followUps = handled;
    this.batchesInFlight.push(handled);
    void handled.finally(() => this.batchesInFlight.splice(this.batchesInFlight.indexOf(handled), 1));
    if (this.batchesInFlight.length >= MAX_BATCHES_IN_FLIGHT) await this.batchesInFlight[0];
  }

  /** Inserts a batch, isolating rows the database refuses, then lets its messages be acknowledged. */
  private async storeBatch(batch: PendingRow[]): Promise<StoredBatch> {
    // A redelivery can land in the same batch as the original: keep the first copy only.
    const firstByKey = new Map<string, PendingRow>();
    for (const r of batch) {
      const key = `${r.window.deviceId}:${r.window.seq}`;
      if (!firstByKey.has(key)) firstByKey.set(key, r);
    }
    const candidates = [...firstByKey.values()];
    const { inserted, refused } = await this.insertIsolating(candidates);
    const refusedRows = new Set(refused);
    const storedRows = candidates.filter((r) => !refusedRows.has(r));
    // Committed (or refused for good): every message of the batch may now be acknowledged.
    const committedMs = Date.now();
    for (const row of storedRows) this.lastCommittedMs.set(row.window.deviceId, committedMs);
    for (const row of batch) row.settle.resolve();

    const isNew = new Set(inserted.map((r) => `${r.deviceId}:${r.seq}`));
    const fresh = candidates.filter((r) => isNew.has(`${r.window.deviceId}:${r.window.seq}`));
    this.deps.metrics.ingestAccepted.inc({ result: 'accepted' }, fresh.length);
    const duplicates = batch.length - fresh.length - refused.length;
    if (duplicates > 0) this.deps.metrics.ingestDuplicates.inc({}, duplicates);
    return { storedRows, fresh };
  }

  /**
   * After the commit: mark the devices seen, then each newly stored window goes to the board and
   * through the alert rule. Failures here are logged, not retried forever: the windows are safe in
   * the database, and one window's trouble must not hold up the next batch.
   */
  private async followUp({ storedRows, fresh }: StoredBatch): Promise<void> {
    const lastSeen = new Map<string, Date>();
    for (const r of storedRows) lastSeen.set(r.window.deviceId, r.receivedAt);
    await this.afterCommit('mark_seen', null, () =>
      this.deps.deviceStatus.onScoresSeen([...lastSeen].map(([deviceId, at]) => ({ deviceId, at }))),
    );

    for (const row of fresh) {
      const w: ScoreWindow = row.window;
      // A stored window has a stay, and a stay is in a bed on a ward: neither is null here.
      this.deps.live.publish('score', row.context.wardId, {
        wardId: row.context.wardId!,
        bedId: row.context.bedId!,
        stayId: row.stayId,
        windowEnd: w.windowEnd,
        distress: w.fused.distress,
        confidence: w.fused.confidence,
        drivers: renderDrivers(w.fused.drivers),
      });
      if (this.deps.evaluation) continue;
      await this.afterCommit('evaluate_alerts', w.deviceId, () =>
        this.deps.alerts.onScoreWindow(
          { stayId: row.stayId, deviceId: w.deviceId, bedId: row.context.bedId, wardId: row.context.wardId },
          w,
          row.receivedAt,
        ),
      );
    }
    await this.handOver(fresh);
  }

  /** Several instances: the fresh windows go to their wards' owners, all at once. */
  private async handOver(fresh: PendingRow[]): Promise<void> {
    const evaluation = this.deps.evaluation;
    if (!evaluation || fresh.length === 0) return;
    const refs = fresh.map((r) => ({
      wardId: r.context.wardId,
      stayId: r.stayId,
      deviceId: r.window.deviceId,
      seq: r.window.seq,
      windowEnd: r.window.windowEnd,
    }));
    await this.afterCommit('evaluate_alerts', null, () => evaluation.windowsStored(refs));
  }

  /**
   * Inserts the rows. A failure to reach the database is retried; any other failure means some
   * row cannot be stored, so the batch is split in halves until the offending rows stand alone,
   * and those are refused. Returns the rows newly stored and the rows refused.
   */
  private async insertIsolating(rows: PendingRow[]): Promise<{ inserted: { deviceId: string; seq: number }[]; refused: PendingRow[] }> {
    try {
      return { inserted: await this.retryTransient('insert', () => this.deps.scores.insertBatch(rows)), refused: [] };
    } catch (error) {
      if (error instanceof NotStoredError) throw error;
      if (rows.length === 1) {
        const row = rows[0]!;
        this.deps.metrics.ingestRejected.inc({ reason: 'storage_refused' });
        this.lastRejection.set(row.window.deviceId, { reason: 'storage_refused', at: new Date() });
        this.deps.logger.error('ingest refused a window the database would not store', {
          deviceId: row.window.deviceId,
          seq: row.window.seq,
          code: databaseErrorCode(error),
        });
        return { inserted: [], refused: [row] };
      }
      const half = Math.ceil(rows.length / 2);
      const first = await this.insertIsolating(rows.slice(0, half));
      const second = await this.insertIsolating(rows.slice(half));
      return { inserted: [...first.inserted, ...second.inserted], refused: [...first.refused, ...second.refused] };
    }
  }

  private async afterCommit(step: string, deviceId: string | null, run: () => Promise<void>): Promise<void> {
    try {
      await this.retryTransient(step, run);
    } catch (error) {
      this.deps.metrics.ingestStepFailures.inc({ step });
      this.deps.logger.error('ingest step failed after the windows were stored', { step, deviceId, error: String(error) });
    }
  }
}
