/**
 * score_window partitioned by day (migration 0009): the conversion of a populated table, the
 * DEFAULT partition that stores any window whose day has no partition, the retention job's
 * maintenance that creates days ahead and moves waiting windows into theirs, retention dropping
 * whole days, and ingest staying idempotent. On PGlite, and on PostgreSQL when DATABASE_URL is set.
 */
import { createDatabase, type Database } from '@attune/db';
import { createScratchDatabaseUrl, dropScratchDatabase } from '@attune/db/testing';
import { createLogger } from '@attune/server';
import { afterEach, describe, expect, it } from 'vitest';
import { DataLifecycleRepository } from '../../server/src/repositories/data-lifecycle.repository.ts';
import { ScoreRepository, type ScoreToStore } from '../../server/src/repositories/score.repository.ts';
import { RetentionService } from '../../server/src/services/retention.service.ts';
import { migrateBefore } from '../support/migrations.ts';
import { makeWindow } from '../support/system.ts';

const DAY_MS = 86_400_000;
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) console.warn('DATABASE_URL is not set: score_window partitioning is tested on PGlite only (CI also runs it on PostgreSQL).');

interface Opened {
  db: Database;
  /** Another connection pool to the same database (PostgreSQL only: PGlite has one connection). */
  second?: () => Promise<Database>;
  drop: () => Promise<void>;
}
const targets: { name: string; open: () => Promise<Opened> }[] = [
  { name: 'PGlite', open: async () => ({ db: await createDatabase({ pgliteDir: 'memory://' }), drop: async () => {} }) },
];
if (adminUrl)
  targets.push({
    name: 'PostgreSQL',
    open: async () => {
      const url = await createScratchDatabaseUrl(adminUrl);
      return {
        db: await createDatabase({ url, maxConnections: 2 }),
        second: () => createDatabase({ url, maxConnections: 2 }),
        drop: () => dropScratchDatabase(adminUrl, url),
      };
    },
  });

const day = (at: Date) => at.toISOString().slice(0, 10);
const stayId = '00000000-0000-4000-8000-000000000001';
const row = (seq: number, end: Date, deviceId = 'bed-01-agent'): ScoreToStore => ({
  window: makeWindow(deviceId, seq, end, { distress: 0.3, confidence: 0.9 }),
  stayId,
  receivedAt: end,
});

/** Where each window is stored: its partition's name, by seq. */
async function partitionsOf(db: Database): Promise<Record<number, string>> {
  const rows = await db.query<{ seq: number; partition: string }>(
    `select seq::int as seq, tableoid::regclass::text as partition from score_window order by seq`,
  );
  return Object.fromEntries(rows.map((r) => [r.seq, r.partition]));
}

async function partitionDays(db: Database): Promise<string[]> {
  return new DataLifecycleRepository(db).scorePartitions.days();
}

const logger = createLogger('error');

describe.each(targets)('score_window partitioned by day on $name', ({ open }) => {
  let opened: Opened | undefined;
  afterEach(async () => {
    await opened?.db.close();
    await opened?.drop();
    opened = undefined;
  });
  const fresh = async () => {
    opened = await open();
    await opened.db.migrate();
    return opened.db;
  };

  it('converts a populated table: every row kept, a partition for each day with rows, today and 7 days ahead, an empty DEFAULT', async () => {
    opened = await open();
    const db = opened.db;
    await migrateBefore(db, '0009_');
    const now = new Date();
    const threeDaysAgoNoon = new Date(`${day(new Date(now.getTime() - 3 * DAY_MS))}T12:00:00Z`);
    const ends = [threeDaysAgoNoon, new Date(threeDaysAgoNoon.getTime() + 60_000), now];
    for (const [i, end] of ends.entries())
      await db.query(
        `insert into score_window (device_id, seq, stay_id, window_start, window_end, distress, confidence, drivers, quality, models)
         values ('bed-01-agent', $1, $2, $3, $4, 0.4, 0.9, '[]', '{}', '{}')`,
        [i + 1, stayId, new Date(end.getTime() - 5000).toISOString(), end.toISOString()],
      );
    await db.migrate();

    const expected = [day(ends[0]!), ...Array.from({ length: 8 }, (_, i) => day(new Date(now.getTime() + i * DAY_MS)))];
    expect(await partitionDays(db)).toEqual(expected);
    const stored = await partitionsOf(db);
    expect(stored).toEqual({
      1: `score_window_p${day(ends[0]!).replaceAll('-', '')}`,
      2: `score_window_p${day(ends[0]!).replaceAll('-', '')}`,
      3: `score_window_p${day(now).replaceAll('-', '')}`,
    });
    const [kind] = await db.query<{ kind: string; key: string }>(
      `select c.relkind::text as kind, pg_get_partkeydef(c.oid) as key from pg_class c where c.relname = 'score_window'`,
    );
    expect(kind).toEqual({ kind: 'p', key: 'RANGE (window_end)' });
    const keys = await db.query<{ name: string }>(
      `select conname as name from pg_constraint where conrelid = 'score_window'::regclass and contype in ('p', 'u')`,
    );
    expect(keys.map((k) => k.name)).toEqual(['score_window_device_id_seq_window_end_pk']);
  });

  it('stores a window whose day has no partition in DEFAULT, and ingest stays idempotent on redelivery', async () => {
    const db = await fresh();
    const scores = new ScoreRepository(db);
    const now = new Date();
    const batch = [row(1, now), row(2, new Date(now.getTime() - 40 * DAY_MS)), row(3, new Date(now.getTime() + 20 * DAY_MS))];
    expect(await scores.insertBatch(batch)).toHaveLength(3);
    expect(await partitionsOf(db)).toEqual({
      1: `score_window_p${day(now).replaceAll('-', '')}`,
      2: 'score_window_default',
      3: 'score_window_default',
    });
    // The broker delivers the same windows again (an acknowledgement lost): nothing new.
    expect(await scores.insertBatch(batch)).toEqual([]);
    expect(await scores.insertBatch([row(1, now), row(4, now)])).toEqual([{ deviceId: 'bed-01-agent', seq: 4 }]);
    const [{ n }] = (await db.query<{ n: number }>(`select count(*)::int as n from score_window`)) as [{ n: number }];
    expect(n).toBe(4);
  });

  it("maintenance creates today and the 7 days ahead, and moves windows waiting in DEFAULT into their day's new partition", async () => {
    const db = await fresh();
    const retention = new RetentionService(new DataLifecycleRepository(db), 30, logger);
    const now = new Date();
    const ahead = new Date(now.getTime() + 9 * DAY_MS);
    const expired = new Date(now.getTime() - 40 * DAY_MS);
    await new ScoreRepository(db).insertBatch([row(1, ahead), row(2, expired)]);
    expect((await partitionsOf(db))[1]).toBe('score_window_default');

    // Two days later today+9 is within the days kept ahead; the window 40 days old is past the
    // 30-day horizon: it stays in DEFAULT for the row delete.
    const later = new Date(now.getTime() + 2 * DAY_MS);
    expect(await retention.maintainPartitions(later)).toEqual({ scorePartitionsCreated: 2, scoreWindowsMovedFromDefault: 1 });
    expect(await partitionsOf(db)).toEqual({ 1: `score_window_p${day(ahead).replaceAll('-', '')}`, 2: 'score_window_default' });
    expect((await partitionDays(db)).at(-1)).toBe(day(ahead));
    // Run again: nothing left to do.
    expect(await retention.maintainPartitions(later)).toEqual({ scorePartitionsCreated: 0, scoreWindowsMovedFromDefault: 0 });
    // The moved window is found on redelivery: still idempotent.
    expect(await new ScoreRepository(db).insertBatch([row(1, ahead)])).toEqual([]);
  });

  it('two server instances maintaining at once create each day once, and neither fails', async (ctx) => {
    const db = await fresh();
    if (!opened!.second) return ctx.skip('PGlite has a single connection: nothing runs at once');
    const other = await opened!.second();
    try {
      const days = Array.from({ length: 5 }, (_, i) => day(new Date(Date.UTC(2027, 0, 1 + i))));
      const [a, b] = await Promise.all([
        new DataLifecycleRepository(db).scorePartitions.ensure(days),
        new DataLifecycleRepository(other).scorePartitions.ensure(days),
      ]);
      expect([...a.created, ...b.created].sort()).toEqual(days);
      expect(await partitionDays(db)).toEqual(expect.arrayContaining(days));
    } finally {
      await other.close();
    }
  });

  it('retention drops the days that ended before the horizon whole, deletes the rest by row, and keeps recent windows', async () => {
    const db = await fresh();
    const lifecycle = new DataLifecycleRepository(db);
    const now = new Date('2026-06-15T12:00:00Z');
    // Days 35 to 29 before `now`, as if the server had run then.
    const past = Array.from({ length: 7 }, (_, i) => day(new Date(now.getTime() - (35 - i) * DAY_MS)));
    await lifecycle.scorePartitions.ensure(past);
    const ends = {
      old: new Date('2026-05-12T08:00:00Z'), // day 34 before: its partition goes
      edgeBefore: new Date('2026-05-16T06:00:00Z'), // the day the horizon (05-16 12:00) falls in, before it
      edgeAfter: new Date('2026-05-16T18:00:00Z'), // same day, after it: kept
      recent: new Date('2026-06-15T11:00:00Z'),
      waitingOld: new Date('2026-04-01T00:00:00Z'), // no partition: in DEFAULT, deleted by row
    };
    await new ScoreRepository(db).insertBatch(Object.values(ends).map((end, i) => row(i + 1, end)));
    const report = await new RetentionService(lifecycle, 30, logger).run(now);

    // Maintenance first: June 15 to 22 created, the recent window moved there out of DEFAULT.
    // Then May 11 to 15 dropped (one window in them), and two windows deleted by row.
    expect(report).toMatchObject({
      scoreWindows: 3,
      scorePartitionsDropped: 5,
      scorePartitionsCreated: 8,
      scoreWindowsMovedFromDefault: 1,
    });
    expect(await partitionsOf(db)).toEqual({ 3: 'score_window_p20260516', 4: 'score_window_p20260615' });
    expect((await partitionDays(db)).slice(0, 3)).toEqual(['2026-05-16', '2026-05-17', '2026-06-15']);
    // Nothing left to drop: a second run deletes nothing.
    expect(await new RetentionService(lifecycle, 30, logger).run(now)).toMatchObject({ scoreWindows: 0, scorePartitionsDropped: 0 });
  });
});
