/**
 * Retention: score windows older than RETENTION_DAYS, and all data of stays discharged longer ago
 * than that (scores, alerts with their events, tablet sessions and pairing codes), are deleted.
 * The consent ledger and the stay/patient rows it refers to are kept: they are the legal record
 * of consent (GDPR Art. 7(1)); see docs/architecture.md. Devices' status messages older than
 * DEVICE_STATUS_KEEP_DAYS are deleted too (technical data, no patient in it). Logs counts only.
 */
import type { Logger } from '../platform/logger.ts';
import type { DataLifecycleRepository, RetentionCounts } from '../repositories/data-lifecycle.repository.ts';

export class RetentionService {
  constructor(
    private readonly lifecycle: DataLifecycleRepository,
    private readonly retentionDays: number,
    private readonly logger: Logger,
    private readonly deviceStatusKeepDays = 14,
  ) {}

  async run(now: Date): Promise<RetentionCounts> {
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000);
    const statusCutoff = new Date(now.getTime() - this.deviceStatusKeepDays * 86_400_000);
    const counts = await this.lifecycle.purgeBefore(cutoff, statusCutoff);
    this.logger.info('retention purge', { retentionDays: this.retentionDays, deviceStatusKeepDays: this.deviceStatusKeepDays, ...counts });
    return counts;
  }
}
