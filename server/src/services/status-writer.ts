/**
 * Device statuses are written in waves, beside ingest's receive chain: everything that arrived
 * while the previous wave was being written goes into the next one, one transaction for all.
 * Every agent re-announces its status at most 20 s apart; one transaction each cost a commit per
 * status, and in the receive chain a wave of them held up everyone's windows.
 *
 * At most one status per device waits: a newer status of the same device replaces the waiting one
 * (the latest state is what the board and the watchdogs read), and both messages are acknowledged
 * once the newer one is written. So a device that sends statuses as fast as it can (a fault, or a
 * hostile agent behind a broker with no rate limit) costs one row per wave, never a queue that
 * everyone else's statuses wait behind. Replaced statuses are not in the device's history; they are
 * counted (`attune_ingest_statuses_replaced_total`) and logged once a minute per device.
 */
import { databaseErrorCode } from '@attune/db';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import { NotStoredError } from './database-retry.ts';
import type { DeviceStatusService, ReceivedStatus } from './device-status.service.ts';

interface Settle {
  resolve(): void;
  reject(error: Error): void;
}

interface Waiting extends ReceivedStatus {
  /** The messages this write acknowledges: the status itself and any it replaced. */
  settles: Settle[];
}

const REPLACED_LOG_EVERY_MS = 60_000;

export class StatusWriter {
  /** Statuses waiting for the next wave, one per device. */
  private readonly waiting = new Map<string, Waiting>();
  /** The wave being written (resolved when none is). */
  private current: Promise<void> = Promise.resolve();
  /** The wave that will take what waits now, once `current` is written; null when nothing waits. */
  private next: Promise<void> | null = null;
  /** Per device: statuses replaced since the last log line, and when that line was written. */
  private readonly replaced = new Map<string, { count: number; loggedAtMs: number }>();

  constructor(
    private readonly deps: {
      deviceStatus: Pick<DeviceStatusService, 'recordStatuses' | 'statusRecorded'>;
      /** Retries a step while the database cannot be reached (database-retry.ts). */
      retry: <T>(step: string, run: () => Promise<T>) => Promise<T>;
      metrics: Metrics;
      logger: Logger;
    },
  ) {}

  /** Resolves once the status, or a newer one of the same device that replaced it, is written. */
  record(received: ReceivedStatus): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const deviceId = received.status.deviceId;
      const earlier = this.waiting.get(deviceId);
      if (earlier) this.countReplaced(deviceId);
      // The replaced messages are acknowledged with this one (appended in place: a flood makes the list long).
      const settles = earlier?.settles ?? [];
      settles.push({ resolve, reject });
      this.waiting.set(deviceId, { ...received, settles });
      this.next ??= this.scheduleWave();
    });
  }

  /** Resolves once every status handed over so far is written (or refused). */
  idle(): Promise<void> {
    return this.next ?? this.current;
  }

  private scheduleWave(): Promise<void> {
    const wave = this.current.then(async () => {
      this.next = null;
      const statuses = [...this.waiting.values()];
      this.waiting.clear();
      try {
        await this.writeIsolating(statuses);
        for (const written of statuses) await this.afterWrite(written);
      } catch (error) {
        // A bug here must not leave messages unanswered or stop the next wave.
        for (const s of statuses) this.fail(s, error);
      }
    });
    this.current = wave;
    return wave;
  }

  /**
   * Writes the wave. A failure to reach the database is retried; any other failure means some
   * status cannot be stored (its device's row is gone, say), so each is written alone and only
   * those the database refuses are refused.
   */
  private async writeIsolating(statuses: Waiting[]): Promise<void> {
    try {
      await this.deps.retry('status', () => this.deps.deviceStatus.recordStatuses(statuses));
      return;
    } catch (error) {
      if (error instanceof NotStoredError || statuses.length === 1) {
        for (const s of statuses) this.fail(s, error);
        return;
      }
    }
    for (const s of statuses) await this.writeIsolating([s]);
  }

  /** The written status's follow-ups (offline alert cleared, board told), then its messages are acknowledged. */
  private async afterWrite(s: Waiting): Promise<void> {
    if (s.settles.length === 0) return; // refused above
    try {
      await this.deps.retry('status_follow_up', () => this.deps.deviceStatus.statusRecorded(s));
    } catch (error) {
      if (error instanceof NotStoredError) return this.fail(s, error);
      // Written: acknowledge it anyway (a redelivery would only write it again), but say so.
      this.deps.metrics.ingestStepFailures.inc({ step: 'status_follow_up' });
      this.deps.logger.error('status follow-up failed after the status was stored', { deviceId: s.status.deviceId, error: String(error) });
    }
    for (const settle of s.settles.splice(0)) settle.resolve();
  }

  private fail(s: Waiting, error: unknown): void {
    if (!(error instanceof NotStoredError))
      this.deps.logger.error('ingest refused a status the database would not store', {
        deviceId: s.status.deviceId,
        code: databaseErrorCode(error),
      });
    const reason = error instanceof Error ? error : new Error(String(error));
    for (const settle of s.settles.splice(0)) settle.reject(reason);
  }

  private countReplaced(deviceId: string): void {
    this.deps.metrics.ingestStatusesReplaced.inc();
    const nowMs = Date.now();
    const seen = this.replaced.get(deviceId) ?? { count: 0, loggedAtMs: -Infinity };
    seen.count += 1;
    if (nowMs - seen.loggedAtMs >= REPLACED_LOG_EVERY_MS) {
      this.deps.logger.warn('device sends statuses faster than they are written; only its latest is kept', {
        deviceId,
        replacedSinceLastLine: seen.count,
      });
      seen.count = 0;
      seen.loggedAtMs = nowMs;
    }
    this.replaced.set(deviceId, seen);
  }
}
