/**
 * A scaled-down hospital's score windows, written straight into score_window with one
 * `INSERT ... SELECT generate_series` per day (ingest's own path would take hours for this many).
 *
 * Every bed has a bedside agent publishing one window every `cadenceS` seconds around the clock,
 * through consecutive stays of 3 to 7 days (length and phase vary by bed). Payloads have the
 * shape and size of real protocol-v2 windows (wearable block, quality, models, a driver when
 * distress is high), so rows, pages and indexes are as large as the server's.
 */
import type { Database } from '@attune/db';

export interface Hospital {
  beds: number;
  /** Seconds between two windows of a bed (an agent's default is 5 s; the bench down-samples). */
  cadenceS: number;
  /** The end of the data and the "now" of every query: the start of a UTC day. */
  end: Date;
}

const DAY_S = 86_400;
const deviceId = (bed: number) => `bench-bed-${String(bed).padStart(4, '0')}`;

/** SQL giving the stay of bed `b` (an integer expression) at epoch second `t` (a bigint expression). */
function stayIdSql(b: string, t: string): string {
  // A stay is (3 + b % 5) days long; beds are out of phase by b * 7919 s.
  return `md5('stay:' || ${b} || ':' || ((${t} + ${b} * 7919) / ((3 + ${b} % 5) * ${DAY_S})))::uuid`;
}

/** Inserts day `dayIndex` (0 = the oldest of `days` ending at `h.end`) for every bed. Returns rows written. */
export async function insertDay(db: Database, h: Hospital, dayIndex: number, days: number): Promise<number> {
  const dayStartS = h.end.getTime() / 1000 - (days - dayIndex) * DAY_S;
  const perDay = DAY_S / h.cadenceS;
  const [row] = await db.query<{ n: number }>(
    `with ins as (
       insert into score_window (device_id, seq, stay_id, window_start, window_end, distress, confidence, drivers, face, wearable, quality, models, received_at)
       select 'bench-bed-' || lpad(b::text, 4, '0'), w.seq, ${stayIdSql('b', 'w.t')},
              to_timestamp(w.t - 5), to_timestamp(w.t), w.distress, 0.8 + (w.seq % 20) / 100.0,
              case when w.distress >= 0.7
                then jsonb_build_array(jsonb_build_object('code', 'heart_rate_high', 'value', 96, 'unit', 'bpm', 'baseline', 72))
                else '[]'::jsonb end,
              null,
              jsonb_build_object('hrBpm', 60 + (w.seq % 40), 'hrBaselineBpm', 72, 'sdnnMs', 40, 'rmssdMs', 30, 'sclUs', 4.2,
                'scrPerMin', 2, 'tempC', 33.1, 'activityG', 0.02, 'distress', w.distress, 'baselineReady', true, 'onWrist', true),
              '{"wearableCoverage": 1, "faceCoverage": null, "unobserved": ["face", "expression", "pain_face"]}'::jsonb,
              '{"wearable-distress": "1.0.0", "fusion": "1.0.0"}'::jsonb,
              to_timestamp(w.t + 1)
       from generate_series($3::bigint, $3::bigint + $5::int - 1) s,
            generate_series(1, $1::int) b,
            lateral (select s as seq, ($2::bigint + (s - $3::bigint) * $4::int) as t,
                            round((0.5 + 0.45 * sin((s + b * 37) / 500.0))::numeric, 3)::float8 as distress) w
       -- In arrival order, every bed's window of one moment then the next moment's, as ingest
       -- writes them: a page holds windows of many beds, and one stay's windows are spread over
       -- many pages. Written bed by bed they would sit together and reads would look cheaper.
       order by s, b
       returning 1)
     select count(*)::int as n from ins`,
    [h.beds, dayStartS, dayIndex * perDay, h.cadenceS, perDay],
  );
  return row!.n;
}

/** The stays in progress at `h.end` of the first `beds` beds (a ward), as the board asks for them. */
export async function currentStays(db: Database, h: Hospital, beds: number): Promise<string[]> {
  const endS = h.end.getTime() / 1000 - h.cadenceS;
  const rows = await db.query<{ id: string }>(`select ${stayIdSql('b', '$2::bigint')}::text as id from generate_series(1, $1::int) b`, [
    beds,
    endS,
  ]);
  return rows.map((r) => r.id);
}

export { deviceId };
