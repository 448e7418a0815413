import { alert, bed, device, scoreWindow, stay, toArrayLiteral, type Database } from '@attune/db';
import { PROTOCOL_VERSION, type Driver, type FaceBlock, type Quality, type ScoreWindow, type WearableBlock } from '@attune/protocol';
import { and, asc, desc, eq, gte, inArray, isNull, lte, max, sql } from 'drizzle-orm';

export interface ScoreToStore {
  window: ScoreWindow;
  stayId: string;
  receivedAt: Date;
}

/** A stored window replayed into the alert rules after a restart. */
export interface RecentWindow {
  stayId: string;
  window: ScoreWindow;
  receivedAt: Date;
  bedId: string | null;
  wardId: string | null;
  /** Received after the stay's last resolved sustained-distress alert: the distress rule takes it. */
  afterDistressResolution: boolean;
  /** Received after the stay's last resolved possible-pain alert: the possible-pain rule takes it. */
  afterPainResolution: boolean;
}

export class ScoreRepository {
  constructor(private readonly db: Database) {}

  /**
   * One multi-row insert per batch. ON CONFLICT makes redelivery harmless (the key holds
   * window_end, score_window's partition key: a redelivered window has the same); RETURNING tells which
   * rows are new, so only those feed the alert engine. Ingest's hot path, and the one raw
   * statement here: drizzle's insert builds one parameter per value and row, which dominated the
   * cost of a batch (docs/architecture.md, test/bench/ingest.bench.ts).
   */
  async insertBatch(rows: ScoreToStore[]): Promise<{ deviceId: string; seq: number }[]> {
    if (rows.length === 0) return [];
    // One array per column (13 parameters whatever the batch size): building thousands of scalar
    // parameters dominated the cost of a batch.
    const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
    const columns: unknown[][] = Array.from({ length: 13 }, () => []);
    for (const r of rows) {
      const w = r.window;
      const values = [
        w.deviceId,
        w.seq,
        r.stayId,
        w.windowStart,
        w.windowEnd,
        w.fused.distress,
        w.fused.confidence,
        json(w.fused.drivers),
        json(w.face),
        json(w.wearable),
        json(w.quality),
        json(w.models),
        r.receivedAt.toISOString(),
      ];
      values.forEach((v, i) => columns[i]!.push(v));
    }
    return this.db.query<{ deviceId: string; seq: number }>(
      `insert into score_window (device_id, seq, stay_id, window_start, window_end, distress, confidence, drivers, face, wearable, quality, models, received_at)
       select * from unnest($1::text[], $2::bigint[], $3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::float8[], $7::float8[],
                            $8::jsonb[], $9::jsonb[], $10::jsonb[], $11::jsonb[], $12::jsonb[], $13::timestamptz[])
       on conflict (device_id, seq, window_end) do nothing
       returning device_id as "deviceId", seq::float8 as seq`,
      columns,
    );
  }

  /** Per-minute maximum distress of a stay since `from` (the board's sparkline). */
  async sparklines(stayIds: string[], from: Date): Promise<{ stayId: string; t: Date; distress: number }[]> {
    if (stayIds.length === 0) return [];
    // date_trunc has no builder form; mapped as the timestamp column it truncates.
    const minute = sql`date_trunc('minute', ${scoreWindow.windowEnd})`.mapWith(scoreWindow.windowEnd);
    const rows = await this.db.orm
      .select({ stayId: scoreWindow.stayId, t: minute, distress: max(scoreWindow.distress) })
      .from(scoreWindow)
      .where(and(inArray(scoreWindow.stayId, stayIds), gte(scoreWindow.windowEnd, from)))
      .groupBy(scoreWindow.stayId, minute)
      .orderBy(asc(scoreWindow.stayId), asc(minute));
    // Every group has at least one window, so its maximum is never null.
    return rows.map((r) => ({ ...r, distress: r.distress ?? 0 }));
  }

  /**
   * Each stay's newest window (the board). One `ORDER BY window_end DESC LIMIT 1` per stay, so
   * PostgreSQL reads one index entry per daily partition and stops, however much history is kept;
   * a DISTINCT ON over the stays' windows read every window of every partition (2.7 s at 90 days
   * of a 100-bed ward, test/bench/storage/RESULTS.md).
   */
  async latest(stayIds: string[]): Promise<{ stayId: string; windowEnd: Date; distress: number; confidence: number; drivers: Driver[] }[]> {
    if (stayIds.length === 0) return [];
    // The stays asked for, as rows (an array literal: arrays travel as text on both drivers, db/src/client.ts).
    const asked = sql`unnest(${toArrayLiteral(stayIds)}::uuid[]) as asked(stay_id)`;
    const askedStayId = sql<string>`asked.stay_id`;
    const newest = this.db.orm
      .select({
        windowEnd: scoreWindow.windowEnd,
        distress: scoreWindow.distress,
        confidence: scoreWindow.confidence,
        drivers: scoreWindow.drivers,
      })
      .from(scoreWindow)
      .where(eq(scoreWindow.stayId, askedStayId))
      .orderBy(desc(scoreWindow.windowEnd))
      .limit(1)
      .as('newest');
    return this.db.orm
      .select({
        stayId: askedStayId,
        windowEnd: newest.windowEnd,
        distress: newest.distress,
        confidence: newest.confidence,
        drivers: newest.drivers,
      })
      .from(asked)
      .crossJoinLateral(newest)
      .orderBy(askedStayId);
  }

  async timeline(
    stayId: string,
    from: Date,
  ): Promise<
    { windowEnd: Date; distress: number; confidence: number; drivers: Driver[]; hrBpm: number | null; negativeAffect: number | null }[]
  > {
    return this.db.orm
      .select({
        windowEnd: scoreWindow.windowEnd,
        distress: scoreWindow.distress,
        confidence: scoreWindow.confidence,
        drivers: scoreWindow.drivers,
        // One field of a jsonb block: a JSON path the builder cannot express.
        hrBpm: sql<number | null>`(${scoreWindow.wearable}->>'hrBpm')::float8`,
        negativeAffect: sql<number | null>`(${scoreWindow.face}->>'negativeAffect')::float8`,
      })
      .from(scoreWindow)
      .where(and(eq(scoreWindow.stayId, stayId), gte(scoreWindow.windowEnd, from)))
      .orderBy(asc(scoreWindow.windowEnd));
  }

  /**
   * Windows of active stays received since `from` and after the stay's last resolved distress
   * alert, in the order they were received: the alert engine replays them to rebuild its state
   * after a restart. The bed and ward are the device's.
   */
  async recentForActiveStays(from: Date, wardId?: string): Promise<RecentWindow[]> {
    // Each clinical rule starts again after its own kind's last resolution (a resolution resets
    // that rule only): a window is returned when it follows either, flagged for each. The
    // aggregate FILTER and '-infinity' have no builder form.
    const resolvedAt = (kind: 'sustained_distress' | 'possible_pain') =>
      sql`coalesce(max(${alert.resolvedAt}) filter (where ${alert.kind} = ${kind}), '-infinity')`;
    const lastResolved = this.db.orm
      .select({
        distress: resolvedAt('sustained_distress').as('distress_resolved_at'),
        pain: resolvedAt('possible_pain').as('pain_resolved_at'),
      })
      .from(alert)
      .where(eq(alert.stayId, scoreWindow.stayId))
      .as('r');
    const rows = await this.db.orm
      .select({
        stayId: scoreWindow.stayId,
        bedId: device.bedId,
        wardId: bed.wardId,
        receivedAt: scoreWindow.receivedAt,
        ...STORED_WINDOW_COLUMNS,
        afterDistressResolution: sql`${scoreWindow.receivedAt} > ${lastResolved.distress}`.mapWith(Boolean),
        afterPainResolution: sql`${scoreWindow.receivedAt} > ${lastResolved.pain}`.mapWith(Boolean),
      })
      .from(scoreWindow)
      .innerJoin(stay, eq(stay.id, scoreWindow.stayId))
      .leftJoin(device, eq(device.id, scoreWindow.deviceId))
      .leftJoin(bed, eq(bed.id, device.bedId))
      .crossJoinLateral(lastResolved)
      .where(
        and(
          isNull(stay.dischargedAt),
          wardId === undefined ? undefined : eq(bed.wardId, wardId),
          gte(scoreWindow.receivedAt, from),
          // Bounds the scan by window_end (the partitions and the (stay_id, window_end) index; an
          // unbounded one read every day kept). A window received since `from` that ended more than
          // an hour before that (an agent's outbox replayed after a long outage) is stored and was
          // evaluated when it came, but is not replayed here: its gap resets the rules anyway.
          sql`${scoreWindow.windowEnd} >= ${from.toISOString()}::timestamptz - interval '1 hour'`,
          sql`${scoreWindow.receivedAt} > least(${lastResolved.distress}, ${lastResolved.pain})`,
        ),
      )
      .orderBy(asc(scoreWindow.receivedAt), asc(scoreWindow.deviceId), asc(scoreWindow.seq));
    return rows.map((r) => ({
      stayId: r.stayId,
      bedId: r.bedId,
      wardId: r.wardId,
      receivedAt: r.receivedAt,
      afterDistressResolution: r.afterDistressResolution,
      afterPainResolution: r.afterPainResolution,
      window: toScoreWindow(r),
    }));
  }

  /** The ward's stays not yet discharged (the ward's evaluator reads their windows back). */
  async activeStayIdsOfWard(wardId: string): Promise<string[]> {
    const rows = await this.db.orm
      .select({ id: stay.id })
      .from(stay)
      .innerJoin(bed, eq(bed.id, stay.bedId))
      .where(and(eq(bed.wardId, wardId), isNull(stay.dischargedAt)));
    return rows.map((r) => r.id);
  }

  /**
   * Windows of these stays that ended between `from` and `to`, by device and seq: the instance
   * that evaluates a ward reads here what any instance stored for it (docs/scale-out.md).
   */
  async windowsOfStays(
    stayIds: string[],
    from: Date,
    to: Date,
  ): Promise<Omit<RecentWindow, 'afterDistressResolution' | 'afterPainResolution'>[]> {
    if (stayIds.length === 0) return [];
    const rows = await this.db.orm
      .select({
        ...STORED_WINDOW_COLUMNS,
        stayId: scoreWindow.stayId,
        bedId: device.bedId,
        wardId: bed.wardId,
        receivedAt: scoreWindow.receivedAt,
      })
      .from(scoreWindow)
      .leftJoin(device, eq(device.id, scoreWindow.deviceId))
      .leftJoin(bed, eq(bed.id, device.bedId))
      .where(and(inArray(scoreWindow.stayId, stayIds), gte(scoreWindow.windowEnd, from), lte(scoreWindow.windowEnd, to)))
      .orderBy(asc(scoreWindow.deviceId), asc(scoreWindow.seq));
    return rows.map((r) => ({ stayId: r.stayId, bedId: r.bedId, wardId: r.wardId, receivedAt: r.receivedAt, window: toScoreWindow(r) }));
  }
}

/** The columns a ScoreWindow is rebuilt from. */
const STORED_WINDOW_COLUMNS = {
  deviceId: scoreWindow.deviceId,
  seq: scoreWindow.seq,
  windowStart: scoreWindow.windowStart,
  windowEnd: scoreWindow.windowEnd,
  distress: scoreWindow.distress,
  confidence: scoreWindow.confidence,
  drivers: scoreWindow.drivers,
  face: scoreWindow.face,
  wearable: scoreWindow.wearable,
  quality: scoreWindow.quality,
  models: scoreWindow.models,
};

interface StoredWindowRow {
  deviceId: string;
  seq: number;
  windowStart: Date;
  windowEnd: Date;
  distress: number;
  confidence: number;
  drivers: Driver[];
  face: FaceBlock | null;
  wearable: WearableBlock | null;
  quality: Quality;
  models: Record<string, string>;
}

function toScoreWindow(r: StoredWindowRow): ScoreWindow {
  return {
    v: PROTOCOL_VERSION,
    deviceId: r.deviceId,
    seq: r.seq,
    windowStart: r.windowStart.toISOString(),
    windowEnd: r.windowEnd.toISOString(),
    consentVersion: 0,
    fused: { distress: r.distress, confidence: r.confidence, drivers: r.drivers },
    ...(r.face ? { face: r.face } : {}),
    ...(r.wearable ? { wearable: r.wearable } : {}),
    quality: r.quality,
    models: r.models,
  };
}
