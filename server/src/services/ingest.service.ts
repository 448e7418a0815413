/**
 * The ingest rules. A score window is stored only when: it decodes under the strict schema,
 * topic device = payload device (the broker has already tied the topic to the authenticated
 * client), the device is enrolled and active, its bed has an active stay at windowEnd, and that
 * stay's consent at windowEnd covers every modality in the message. A message carrying a
 * modality outside consent is dropped whole and raises a technical alert. Rejections are counted
 * by reason and logged with device, reason and size only — never content.
 *
 * Accepted windows are written in batches (one multi-row INSERT ... ON CONFLICT DO NOTHING), so
 * redelivered (deviceId, seq) pairs are stored once; only newly stored rows reach the alert engine.
 */
import { decodePayload, parseTopic, type ScoreWindow } from '@attune/protocol';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { DeviceRepository } from '../repositories/device.repository.ts';
import type { ScoreRepository, ScoreToStore } from '../repositories/score.repository.ts';
import type { AlertService } from './alert.service.ts';
import { consentAt } from './consent-ledger.ts';
import { stayInBedDuring, type DeviceContextCache, type DeviceIngestContext } from './device-context.ts';
import type { LiveEvents } from './live-events.ts';
import type { DeviceStatusService } from './device-status.service.ts';

export type RejectReason =
  | 'bad_topic'
  | 'oversized'
  | 'not_json'
  | 'schema'
  | 'device_mismatch'
  | 'unknown_device'
  | 'inactive_device'
  | 'no_active_stay'
  | 'no_consent'
  | 'outside_consent'
  | 'erased';

interface PendingRow extends ScoreToStore {
  context: Pick<DeviceIngestContext, 'wardId' | 'bedId'>;
}

export interface IngestOptions {
  batchMaxRows: number;
  batchMaxWaitMs: number;
}

/**
 * Batches being written at once. Receiving and validating go on while a batch is written (the
 * database and this process work in parallel); beyond this many, receiving waits (backpressure).
 */
const MAX_BATCHES_IN_FLIGHT = 2;
/** Backoff ceiling for database retries, and how often a step is tried once shutdown has begun. */
const RETRY_MAX_DELAY_MS = 5000;
const CLOSING_ATTEMPTS = 3;

export class IngestService {
  /** Receive chain: decode, check, collect — serialised so per-device order is kept. */
  private chain: Promise<void> = Promise.resolve();
  /** Write chain: batches are stored and evaluated strictly in arrival order. */
  private writes: Promise<void> = Promise.resolve();
  private readonly batchesInFlight: Promise<void>[] = [];
  private pending: PendingRow[] = [];
  private closing = false;
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      contexts: DeviceContextCache;
      scores: ScoreRepository;
      devices: DeviceRepository;
      deviceStatus: DeviceStatusService;
      alerts: AlertService;
      live: LiveEvents;
      metrics: Metrics;
      logger: Logger;
    },
    private readonly options: IngestOptions,
  ) {}

  /** Called for every MQTT message; work is serialised so per-device order is kept. */
  handleMessage(topic: string, payload: Buffer, receivedAt = new Date()): Promise<void> {
    this.chain = this.chain
      .then(() => this.process(topic, payload, receivedAt))
      .catch((error: unknown) => {
        this.deps.logger.error('ingest failed', { error: String(error) });
      });
    return this.chain;
  }

  /**
   * Runs a database step until it succeeds. The broker already has its acknowledgement, so giving
   * up would lose the windows; every step is idempotent (ON CONFLICT, cached reads). Meanwhile
   * backpressure stops receiving and the broker's persistent session queues for us. Only while
   * shutting down does it give up, after a few attempts, so a dead database cannot hang a stop.
   */
  private async untilDone<T>(step: string, run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (this.closing && attempt >= CLOSING_ATTEMPTS) throw error;
        const delayMs = Math.min(RETRY_MAX_DELAY_MS, 100 * 2 ** (attempt - 1));
        this.deps.metrics.ingestRetries.inc({ step });
        this.deps.logger.warn('ingest database step failed; retrying', { step, attempt, delayMs, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /** Shutdown: stop retrying a dead database forever, then write what is pending. */
  close(): Promise<void> {
    this.closing = true;
    return this.drain();
  }

  /** Writes whatever is pending and waits for every write (erasure, discharge, tests). */
  drain(): Promise<void> {
    this.chain = this.chain.then(() => this.flush()).then(() => this.writes);
    return this.chain;
  }

  private reject(reason: RejectReason, deviceId: string | null, bytes: number, errors?: string[]) {
    this.deps.metrics.ingestRejected.inc({ reason });
    // Field paths and rule names only; the payload itself is never logged.
    this.deps.logger.warn('ingest rejected', { reason, deviceId, bytes, ...(errors ? { errors: errors.slice(0, 5) } : {}) });
  }

  private async process(topic: string, payload: Buffer, receivedAt: Date): Promise<void> {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.kind === 'consent') return this.reject('bad_topic', parsed?.deviceId ?? null, payload.byteLength);
    if (parsed.kind === 'status') {
      const status = decodePayload('status', payload);
      if (!status.ok) return this.reject(status.reason, parsed.deviceId, payload.byteLength, status.errors);
      if (status.value.deviceId !== parsed.deviceId) return this.reject('device_mismatch', parsed.deviceId, payload.byteLength);
      if (status.value.state === 'offline') {
        // The device's earlier windows, still queued, would mark it online again after its Last Will.
        await this.flush();
        await this.writes;
      }
      return this.deps.deviceStatus.onStatus(status.value, receivedAt);
    }

    const decoded = decodePayload('scores', payload);
    if (!decoded.ok) return this.reject(decoded.reason, parsed.deviceId, payload.byteLength, decoded.errors);
    const window = decoded.value;
    if (window.deviceId !== parsed.deviceId) return this.reject('device_mismatch', parsed.deviceId, payload.byteLength);

    const context = await this.untilDone('load_device', () => this.deps.contexts.get(window.deviceId));
    if (!context) return this.reject('unknown_device', window.deviceId, payload.byteLength);
    if (!context.isActive) return this.reject('inactive_device', window.deviceId, payload.byteLength);
    const windowEnd = new Date(window.windowEnd);
    // The stay that occupied the device's bed for the whole window (bed history, so a transfer
    // hands neither the old bed's later windows nor the new bed's earlier ones to the patient).
    const stay = stayInBedDuring(context, new Date(window.windowStart), windowEnd);
    if (!stay) return this.reject('no_active_stay', window.deviceId, payload.byteLength);
    // The patient asked to delete what was recorded: nothing measured up to then may come back.
    if (stay.dataErasedAt && windowEnd.getTime() <= stay.dataErasedAt.getTime()) {
      return this.reject('erased', window.deviceId, payload.byteLength);
    }
    const consent = consentAt(stay.consent, windowEnd);
    if (!consent || (!consent.camera && !consent.wearable)) return this.reject('no_consent', window.deviceId, payload.byteLength);
    const outside = [...(window.face && !consent.camera ? ['camera'] : []), ...(window.wearable && !consent.wearable ? ['wearable'] : [])];
    if (outside.length > 0) {
      this.reject('outside_consent', window.deviceId, payload.byteLength);
      await this.deps.alerts.raiseConsentViolation(
        { deviceId: window.deviceId, stayId: stay.id, bedId: context.bedId, wardId: context.wardId },
        outside,
        receivedAt,
      );
      return;
    }

    this.deps.metrics.ingestLag.observe(Math.max(0, (receivedAt.getTime() - windowEnd.getTime()) / 1000));
    this.pending.push({ window, stayId: stay.id, receivedAt, context: { wardId: context.wardId, bedId: context.bedId } });
    if (this.pending.length >= this.options.batchMaxRows) return this.flush();
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.chain = this.chain.then(() => this.flush());
      }, this.options.batchMaxWaitMs);
    }
  }

  /** Hands the pending rows to the write chain; waits only when too many batches are in flight. */
  private async flush(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const written = this.writes
      .then(() => this.writeBatch(batch))
      .catch((error: unknown) => {
        this.deps.logger.error('ingest batch write failed', { rows: batch.length, error: String(error) });
      });
    this.writes = written;
    this.batchesInFlight.push(written);
    void written.finally(() => this.batchesInFlight.splice(this.batchesInFlight.indexOf(written), 1));
    if (this.batchesInFlight.length >= MAX_BATCHES_IN_FLIGHT) await this.batchesInFlight[0];
  }

  private async writeBatch(batch: PendingRow[]): Promise<void> {
    // A redelivery can land in the same batch as the original: keep the first copy only.
    const firstByKey = new Map<string, PendingRow>();
    for (const r of batch) {
      const key = `${r.window.deviceId}:${r.window.seq}`;
      if (!firstByKey.has(key)) firstByKey.set(key, r);
    }
    const candidates = [...firstByKey.values()];
    const inserted = await this.untilDone('insert', () => this.deps.scores.insertBatch(candidates));
    const isNew = new Set(inserted.map((r) => `${r.deviceId}:${r.seq}`));
    const fresh = candidates.filter((r) => isNew.has(`${r.window.deviceId}:${r.window.seq}`));
    this.deps.metrics.ingestAccepted.inc({ result: 'accepted' }, fresh.length);
    const duplicates = batch.length - fresh.length;
    if (duplicates > 0) this.deps.metrics.ingestDuplicates.inc({}, duplicates);

    const lastSeen = new Map<string, Date>();
    for (const r of batch) lastSeen.set(r.window.deviceId, r.receivedAt);
    await this.untilDone('mark_seen', () => this.deps.deviceStatus.onScoresSeen([...lastSeen].map(([deviceId, at]) => ({ deviceId, at }))));

    for (const row of fresh) {
      const w: ScoreWindow = row.window;
      this.deps.live.publish('score', row.context.wardId, {
        wardId: row.context.wardId,
        bedId: row.context.bedId,
        stayId: row.stayId,
        windowEnd: w.windowEnd,
        distress: w.fused.distress,
        confidence: w.fused.confidence,
        drivers: w.fused.drivers,
      });
      await this.deps.alerts.onScoreWindow(
        { stayId: row.stayId, deviceId: w.deviceId, bedId: row.context.bedId, wardId: row.context.wardId },
        w,
      );
    }
  }
}
