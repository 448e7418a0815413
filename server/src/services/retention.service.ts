/**
 * Retention: score windows older than RETENTION_DAYS, and all data of stays discharged longer ago
 * than that (scores, alerts with their events, tablet sessions and pairing codes), are deleted.
 * The consent ledger and the stay/patient rows it refers to are kept: they are the legal record
 * of consent (GDPR Art. 7(1)); see docs/architecture.md. Devices' status messages older than
 * DEVICE_STATUS_KEEP_DAYS are deleted too (technical data, no patient in it). Logs counts only.
 *
 * Score windows are stored in one partition per UTC day (docs/storage-partitioning.md): each run
 * first makes sure the days ahead have their partition, then drops the days that ended before
 * the horizon whole, and deletes row by row only what is left (the day the horizon falls in,
 * windows waiting in the DEFAULT partition, windows of long-discharged stays).
 */
import type { Logger } from '../platform/logger.ts';
import type { DataLifecycleRepository, RetentionCounts } from '../repositories/data-lifecycle.repository.ts';
import { utcDay, type UtcDay } from '../repositories/score-partition.repository.ts';

const DAY_MS = 86_400_000;
/** Partitions exist this many days ahead, so a week without a successful run still stores into days of their own. */
export const SCORE_PARTITION_DAYS_AHEAD = 7;

export interface PartitionMaintenance {
  /** Daily partitions created by this run. */
  scorePartitionsCreated: number;
  /** Windows moved out of the DEFAULT partition into a day created for them. */
  scoreWindowsMovedFromDefault: number;
}

export interface RetentionReport extends RetentionCounts, PartitionMaintenance {
  /** Whole days of score windows dropped (their windows are counted in `scoreWindows`). */
  scorePartitionsDropped: number;
}

export class RetentionService {
  constructor(
    private readonly lifecycle: DataLifecycleRepository,
    private readonly retentionDays: number,
    private readonly logger: Logger,
    private readonly deviceStatusKeepDays = 14,
  ) {}

  /**
   * Creates the score partitions of today and the SCORE_PARTITION_DAYS_AHEAD days after it, and
   * of every retained day with windows waiting in DEFAULT (moving them in). Part of every `run`;
   * also worth calling once at start, as the first run comes one job period later.
   */
  async maintainPartitions(now: Date): Promise<PartitionMaintenance> {
    const partitions = this.lifecycle.scorePartitions;
    const ahead: UtcDay[] = Array.from({ length: SCORE_PARTITION_DAYS_AHEAD + 1 }, (_, i) => utcDay(new Date(now.getTime() + i * DAY_MS)));
    // Windows older than the horizon stay in DEFAULT: the run's row delete removes them.
    const waiting = await partitions.daysInDefault(utcDay(this.cutoff(now)));
    const { created, movedRows } = await partitions.ensure([...ahead, ...waiting]);
    return { scorePartitionsCreated: created.length, scoreWindowsMovedFromDefault: movedRows };
  }

  async run(now: Date): Promise<RetentionReport> {
    const cutoff = this.cutoff(now);
    const statusCutoff = new Date(now.getTime() - this.deviceStatusKeepDays * 86_400_000);
    // Maintenance or a drop failing (a lock not granted within its timeout) must not stop the
    // purge: windows then go to DEFAULT, or expired days are deleted row by row below, as they
    // were before partitioning; the next run tries again.
    const maintained = await this.maintainPartitions(now).catch((error: unknown) => {
      this.logger.warn('score partition maintenance failed; retrying at the next run', { error: String(error) });
      return { scorePartitionsCreated: 0, scoreWindowsMovedFromDefault: 0 };
    });
    const dropped = await this.lifecycle.scorePartitions.dropEndingBy(cutoff);
    if (dropped.error !== null)
      this.logger.warn('dropping an expired score partition failed; deleting its rows instead', { error: String(dropped.error) });
    const counts = await this.lifecycle.purgeBefore(cutoff, statusCutoff);
    const report: RetentionReport = {
      ...counts,
      scoreWindows: counts.scoreWindows + dropped.rows,
      scorePartitionsDropped: dropped.dropped.length,
      ...maintained,
    };
    this.logger.info('retention purge', { retentionDays: this.retentionDays, deviceStatusKeepDays: this.deviceStatusKeepDays, ...report });
    return report;
  }

  private cutoff(now: Date): Date {
    return new Date(now.getTime() - this.retentionDays * DAY_MS);
  }
}
