import { describe, expect, it } from 'vitest';
import type { Logger } from '../platform/logger.ts';
import type { DataLifecycleRepository } from '../repositories/data-lifecycle.repository.ts';
import { RetentionService } from './retention.service.ts';

describe('RetentionService', () => {
  it('purges before now minus RETENTION_DAYS, device statuses before now minus DEVICE_STATUS_KEEP_DAYS, and logs counts only', async () => {
    const cutoffs: Date[] = [];
    const counts = { scoreWindows: 3, alerts: 1, alertEvents: 2, tabletSessions: 0, tabletPairings: 1, stays: 1, deviceStatuses: 9 };
    const lifecycle = {
      purgeBefore: async (cutoff: Date, statusCutoff: Date) => (cutoffs.push(cutoff, statusCutoff), counts),
    } as unknown as DataLifecycleRepository;
    const logged: Record<string, unknown>[] = [];
    const logger = { info: (_m: string, fields: Record<string, unknown>) => logged.push(fields) } as unknown as Logger;
    const now = new Date('2026-12-01T00:00:00Z');
    expect(await new RetentionService(lifecycle, 30, logger, 14).run(now)).toEqual(counts);
    // Device statuses by their own keep time (DEVICE_STATUS_KEEP_DAYS).
    expect(cutoffs).toEqual([new Date('2026-11-01T00:00:00Z'), new Date('2026-11-17T00:00:00Z')]);
    expect(logged).toHaveLength(1);
    expect(Object.values(logged[0]!).every((v) => typeof v === 'number')).toBe(true);
  });
});
