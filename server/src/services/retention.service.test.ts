import { describe, expect, it } from 'vitest';
import type { Logger } from '../platform/logger.ts';
import type { DataLifecycleRepository } from '../repositories/data-lifecycle.repository.ts';
import { RetentionService } from './retention.service.ts';

const counts = { scoreWindows: 3, alerts: 1, alertEvents: 2, tabletSessions: 0, tabletPairings: 1, stays: 1, deviceStatuses: 9 };

/** A lifecycle repository that records what it is asked; `failEnsure` makes partition creation fail. */
function fakeLifecycle(options: { failEnsure?: boolean; waitingInDefault?: string[] } = {}) {
  const calls = { cutoffs: [] as Date[], ensured: [] as string[][], defaultFrom: [] as string[], droppedBy: [] as Date[] };
  const lifecycle = {
    purgeBefore: async (cutoff: Date, statusCutoff: Date) => (calls.cutoffs.push(cutoff, statusCutoff), counts),
    scorePartitions: {
      daysInDefault: async (from: string) => (calls.defaultFrom.push(from), options.waitingInDefault ?? []),
      ensure: async (days: string[]) => {
        calls.ensured.push(days);
        if (options.failEnsure) throw new Error('canceling statement due to lock timeout');
        return { created: days.slice(0, 2), movedRows: 4 };
      },
      dropEndingBy: async (cutoff: Date) => (
        calls.droppedBy.push(cutoff),
        { dropped: ['2026-10-30', '2026-10-31'], rows: 100, error: null }
      ),
    },
  } as unknown as DataLifecycleRepository;
  return { lifecycle, calls };
}

function recordingLogger() {
  const logged: { level: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (_m: string, fields: Record<string, unknown>) => logged.push({ level, fields });
  return { logger: { info: at('info'), warn: at('warn') } as unknown as Logger, logged };
}

describe('RetentionService', () => {
  const now = new Date('2026-12-01T00:00:00Z');

  it('purges before now minus RETENTION_DAYS, device statuses before now minus DEVICE_STATUS_KEEP_DAYS, and logs counts only', async () => {
    const { lifecycle, calls } = fakeLifecycle();
    const { logger, logged } = recordingLogger();
    const report = await new RetentionService(lifecycle, 30, logger, 14).run(now);
    // Windows of the dropped days count with those deleted by row.
    expect(report).toEqual({
      ...counts,
      scoreWindows: 103,
      scorePartitionsDropped: 2,
      scorePartitionsCreated: 2,
      scoreWindowsMovedFromDefault: 4,
    });
    // Device statuses by their own keep time (DEVICE_STATUS_KEEP_DAYS).
    expect(calls.cutoffs).toEqual([new Date('2026-11-01T00:00:00Z'), new Date('2026-11-17T00:00:00Z')]);
    expect(calls.droppedBy).toEqual([new Date('2026-11-01T00:00:00Z')]);
    expect(logged).toHaveLength(1);
    expect(Object.values(logged[0]!.fields).every((v) => typeof v === 'number')).toBe(true);
  });

  it('keeps partitions for today and the 7 days ahead, and for retained days with windows waiting in DEFAULT', async () => {
    const { lifecycle, calls } = fakeLifecycle({ waitingInDefault: ['2026-11-20'] });
    const { logger } = recordingLogger();
    await new RetentionService(lifecycle, 30, logger).maintainPartitions(new Date('2026-12-01T23:59:00Z'));
    // Windows older than the horizon are left in DEFAULT for the row delete.
    expect(calls.defaultFrom).toEqual(['2026-11-01']);
    expect(calls.ensured).toEqual([
      ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07', '2026-12-08', '2026-11-20'],
    ]);
  });

  it('still purges when partition maintenance fails, and says so in a warning', async () => {
    const { lifecycle, calls } = fakeLifecycle({ failEnsure: true });
    const { logger, logged } = recordingLogger();
    const report = await new RetentionService(lifecycle, 30, logger).run(now);
    expect(report).toMatchObject({ scoreWindows: 103, scorePartitionsCreated: 0, scoreWindowsMovedFromDefault: 0 });
    expect(calls.cutoffs).toHaveLength(2);
    expect(logged.map((l) => l.level)).toEqual(['warn', 'info']);
    expect(logged[0]!.fields.error).toMatch(/lock timeout/);
  });
});
