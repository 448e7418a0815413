/**
 * Retention: score windows older than RETENTION_DAYS, and all data of stays discharged longer ago
 * than that (scores, alerts with their events, tablet sessions and pairing codes), are deleted.
 * The consent ledger and the stay/patient rows it refers to are kept: they are the legal record
 * of consent (GDPR Art. 7(1)); see docs/architecture.md. Logs counts only.
 */
import type { Logger } from '../platform/logger.ts';
import type { DataLifecycleRepository, RetentionCounts } from '../repositories/data-lifecycle.repository.ts';

export class RetentionService {
  constructor(
    private readonly lifecycle: DataLifecycleRepository,
    private readonly retentionDays: number,
    private readonly logger: Logger,
  ) {}

  async run(now: Date): Promise<RetentionCounts> {
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000);
    const counts = await this.lifecycle.purgeBefore(cutoff);
    this.logger.info('retention purge', { retentionDays: this.retentionDays, ...counts });
    return counts;
  }
}
