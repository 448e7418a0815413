import type { Database } from '@attune/db';
import { PROTOCOL_VERSION, type Driver, type ScoreWindow } from '@attune/protocol';

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
   * One multi-row insert per batch. ON CONFLICT makes redelivery harmless; RETURNING tells which
   * rows are new, so only those feed the alert engine.
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
       on conflict (device_id, seq) do nothing
       returning device_id as "deviceId", seq::float8 as seq`,
      columns,
    );
  }

  /** Per-minute maximum distress of a stay since `from` (the board's sparkline). */
  async sparklines(stayIds: string[], from: Date): Promise<{ stayId: string; t: Date; distress: number }[]> {
    if (stayIds.length === 0) return [];
    return this.db.query(
      `select stay_id as "stayId", date_trunc('minute', window_end) as t, max(distress)::float8 as distress
         from score_window where stay_id = any($1::uuid[]) and window_end >= $2
        group by stay_id, date_trunc('minute', window_end) order by 1, 2`,
      [stayIds, from.toISOString()],
    );
  }

  async latest(stayIds: string[]): Promise<{ stayId: string; windowEnd: Date; distress: number; confidence: number; drivers: Driver[] }[]> {
    if (stayIds.length === 0) return [];
    return this.db.query(
      `select distinct on (stay_id) stay_id as "stayId", window_end as "windowEnd", distress::float8 as distress, confidence::float8 as confidence, drivers
         from score_window where stay_id = any($1::uuid[]) order by stay_id, window_end desc`,
      [stayIds],
    );
  }

  async timeline(
    stayId: string,
    from: Date,
  ): Promise<
    { windowEnd: Date; distress: number; confidence: number; drivers: Driver[]; hrBpm: number | null; negativeAffect: number | null }[]
  > {
    return this.db.query(
      `select window_end as "windowEnd", distress::float8 as distress, confidence::float8 as confidence, drivers,
              (wearable->>'hrBpm')::float8 as "hrBpm", (face->>'negativeAffect')::float8 as "negativeAffect"
         from score_window where stay_id = $1 and window_end >= $2 order by window_end`,
      [stayId, from.toISOString()],
    );
  }

  /**
   * Windows of active stays received since `from` and after the stay's last resolved distress
   * alert, in the order they were received: the alert engine replays them to rebuild its state
   * after a restart. The bed and ward are the device's.
   */
  async recentForActiveStays(from: Date): Promise<RecentWindow[]> {
    const rows = await this.db.query<{
      stayId: string;
      afterDistressResolution: boolean;
      afterPainResolution: boolean;
      bedId: string | null;
      wardId: string | null;
      receivedAt: Date;
      deviceId: string;
      seq: number;
      windowStart: Date;
      windowEnd: Date;
      distress: number;
      confidence: number;
      drivers: Driver[];
      face: unknown;
      wearable: unknown;
      quality: unknown;
      models: Record<string, string>;
    }>(
      // window_end bounds the scan by the (stay_id, window_end) index: a window received since
      // `from` ended at most INGEST_MAX_AGE_H (168 h at most) before it.
      // Each clinical rule starts again after its own kind's last resolution (a resolution resets
      // that rule only): a window is returned when it follows either, flagged for each.
      `select sw.stay_id as "stayId", d.bed_id as "bedId", b.ward_id as "wardId", sw.received_at as "receivedAt",
              sw.device_id as "deviceId", sw.seq::float8 as seq, sw.window_start as "windowStart", sw.window_end as "windowEnd",
              sw.distress::float8 as distress, sw.confidence::float8 as confidence, sw.drivers, sw.face, sw.wearable, sw.quality, sw.models,
              sw.received_at > coalesce(r.distress_resolved_at, '-infinity') as "afterDistressResolution",
              sw.received_at > coalesce(r.pain_resolved_at, '-infinity') as "afterPainResolution"
         from score_window sw
         join stay s on s.id = sw.stay_id
         left join device d on d.id = sw.device_id
         left join bed b on b.id = d.bed_id
         cross join lateral (
           select max(a.resolved_at) filter (where a.kind = 'sustained_distress') as distress_resolved_at,
                  max(a.resolved_at) filter (where a.kind = 'possible_pain') as pain_resolved_at
             from alert a where a.stay_id = sw.stay_id) r
        where s.discharged_at is null and sw.received_at >= $1 and sw.window_end >= $1::timestamptz - interval '7 days'
          and sw.received_at > least(coalesce(r.distress_resolved_at, '-infinity'), coalesce(r.pain_resolved_at, '-infinity'))
        order by sw.received_at, sw.device_id, sw.seq`,
      [from.toISOString()],
    );
    return rows.map((r) => ({
      stayId: r.stayId,
      bedId: r.bedId,
      wardId: r.wardId,
      receivedAt: r.receivedAt,
      afterDistressResolution: r.afterDistressResolution,
      afterPainResolution: r.afterPainResolution,
      window: {
        v: PROTOCOL_VERSION,
        deviceId: r.deviceId,
        seq: r.seq,
        windowStart: r.windowStart.toISOString(),
        windowEnd: r.windowEnd.toISOString(),
        consentVersion: 0,
        fused: { distress: r.distress, confidence: r.confidence, drivers: r.drivers },
        ...(r.face ? { face: r.face as ScoreWindow['face'] } : {}),
        ...(r.wearable ? { wearable: r.wearable as ScoreWindow['wearable'] } : {}),
        quality: r.quality as ScoreWindow['quality'],
        models: r.models,
      } as ScoreWindow,
    }));
  }
}
