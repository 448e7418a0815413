/**
 * score_window's daily partitions (migration 0009, docs/storage-partitioning.md): creating the
 * days ahead, moving windows that waited in the DEFAULT partition into their day, and dropping
 * whole days once retention has passed them. Partition DDL has no builder form: statements go
 * through drizzle's `execute` with identifiers quoted by `sql.identifier`, and day bounds are
 * literals this module formats itself (DDL takes no parameters).
 */
import type { Database, Orm } from '@attune/db';
import { sql } from 'drizzle-orm';

const PARENT = 'score_window';
const DEFAULT_PARTITION = 'score_window_default';
const DAY_MS = 86_400_000;
const PARTITION_NAME = /^score_window_p(\d{4})(\d{2})(\d{2})$/;
/**
 * Attaching and dropping a partition lock the parent table (dropping: ACCESS EXCLUSIVE) for a
 * catalog change that takes milliseconds, but waiting behind a long query would queue ingest and
 * the board behind the waiting lock. Better to give up and try again at the next run: windows
 * meanwhile go to the partitions already made ahead, or to DEFAULT.
 */
const LOCK_TIMEOUT = sql.raw(`set local lock_timeout = '5s'`);

/** A UTC day as YYYY-MM-DD. */
export type UtcDay = string;

export const utcDay = (at: Date): UtcDay => at.toISOString().slice(0, 10);
const dayStart = (day: UtcDay) => new Date(`${day}T00:00:00Z`);
const partitionName = (day: UtcDay) => `${PARENT}_p${day.replaceAll('-', '')}`;
/** A timestamptz literal with its offset, so the session's TimeZone cannot move a bound. */
const boundLiteral = (at: Date) => sql.raw(`'${at.toISOString()}'`);

/** drizzle's `execute` returns the rows on postgres.js and `{ rows }` on PGlite. */
async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  const r = await result;
  return (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
}

const COLUMNS = sql.raw(
  'device_id, seq, stay_id, window_start, window_end, distress, confidence, drivers, face, wearable, quality, models, received_at',
);

export class ScorePartitionRepository {
  constructor(private readonly db: Database) {}

  /** The days that have a daily partition, oldest first. */
  async days(): Promise<UtcDay[]> {
    const rows = await rowsOf<{ name: string }>(
      this.db.orm.execute(sql`
        select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = ${PARENT}::regclass`),
    );
    return rows
      .flatMap((r) => {
        const m = PARTITION_NAME.exec(r.name);
        return m ? [`${m[1]}-${m[2]}-${m[3]}`] : [];
      })
      .sort();
  }

  /** The UTC days of the windows waiting in the DEFAULT partition, from `from` (a day) on. */
  async daysInDefault(from: UtcDay): Promise<UtcDay[]> {
    const rows = await rowsOf<{ day: string }>(
      this.db.orm.execute(sql`
        select distinct to_char(window_end at time zone 'UTC', 'YYYY-MM-DD') as day from ${sql.identifier(DEFAULT_PARTITION)}
        where window_end >= ${boundLiteral(dayStart(from))}::timestamptz order by 1`),
    );
    return rows.map((r) => r.day);
  }

  /**
   * Creates the partition of each day that has none. The windows of that day waiting in DEFAULT
   * move into it in the same transaction: attaching a partition fails while DEFAULT holds rows of
   * its range, so creation never fails on them and no window is ever in two places or none.
   */
  async ensure(days: UtcDay[]): Promise<{ created: UtcDay[]; movedRows: number }> {
    const existing = new Set(await this.days());
    const created: UtcDay[] = [];
    let movedRows = 0;
    for (const day of [...new Set(days)].sort()) {
      if (existing.has(day)) continue;
      const moved = await this.createDay(day);
      if (moved === null) continue;
      created.push(day);
      movedRows += moved;
    }
    return { created, movedRows };
  }

  /** Rows moved out of DEFAULT, or null when another server instance created the day first. */
  private createDay(day: UtcDay): Promise<number | null> {
    const name = sql.identifier(partitionName(day));
    const from = boundLiteral(dayStart(day));
    const to = boundLiteral(new Date(dayStart(day).getTime() + DAY_MS));
    return this.db.orm.transaction(async (tx) => {
      await tx.execute(LOCK_TIMEOUT);
      // Several server instances run this job: the parent's SHARE UPDATE EXCLUSIVE lock (which
      // reads and writes do not wait for) lets one create the day while the other waits, then
      // finds it made.
      await tx.execute(sql`lock table ${sql.identifier(PARENT)} in share update exclusive mode`);
      if ((await exists(tx, partitionName(day))) === true) return null;
      // Ingest may not add a row of this day to DEFAULT between the move and the attach.
      await tx.execute(sql`lock table ${sql.identifier(DEFAULT_PARTITION)} in exclusive mode`);
      // CREATE TABLE then ATTACH: CREATE TABLE ... PARTITION OF would hold ACCESS EXCLUSIVE on
      // the parent, stopping the board and ingest; ATTACH holds SHARE UPDATE EXCLUSIVE and builds
      // the partition's keys and indexes from the parent's.
      await tx.execute(sql`create table ${name} (like ${sql.identifier(PARENT)} including defaults)`);
      const [moved] = await rowsOf<{ n: number }>(
        tx.execute(sql`
          with moved as (
            delete from ${sql.identifier(DEFAULT_PARTITION)} where window_end >= ${from} and window_end < ${to} returning ${COLUMNS}
          ), stored as (insert into ${name} (${COLUMNS}) select ${COLUMNS} from moved returning 1)
          select count(*)::int as n from stored`),
      );
      await tx.execute(sql`alter table ${sql.identifier(PARENT)} attach partition ${name} for values from (${from}) to (${to})`);
      return Number(moved?.n ?? 0);
    });
  }

  /**
   * Drops every daily partition whose whole day ends at or before `cutoff`, oldest first. Returns
   * the days dropped and how many windows they held (counted just before each drop: ingest
   * refuses windows that old), and the error that stopped it, if one did: the days before it
   * are gone all the same.
   */
  async dropEndingBy(cutoff: Date): Promise<{ dropped: UtcDay[]; rows: number; error: unknown }> {
    const expired = (await this.days()).filter((day) => dayStart(day).getTime() + DAY_MS <= cutoff.getTime());
    const dropped: UtcDay[] = [];
    let rows = 0;
    try {
      for (const day of expired) {
        const name = sql.identifier(partitionName(day));
        const [count] = await rowsOf<{ n: number }>(this.db.orm.execute(sql`select count(*)::int as n from ${name}`));
        await this.db.orm.transaction(async (tx) => {
          await tx.execute(LOCK_TIMEOUT);
          await tx.execute(sql`drop table if exists ${name}`);
        });
        dropped.push(day);
        rows += Number(count?.n ?? 0);
      }
    } catch (error) {
      return { dropped, rows, error };
    }
    return { dropped, rows, error: null };
  }
}

async function exists(tx: Pick<Orm, 'execute'>, relation: string): Promise<boolean> {
  const [row] = await rowsOf<{ found: boolean }>(tx.execute(sql`select to_regclass(${relation}::text) is not null as found`));
  return row?.found === true;
}
