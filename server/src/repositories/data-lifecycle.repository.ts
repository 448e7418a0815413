/** Deleting a patient's data: erasure on request (one stay) and retention (by age). All of it in one place. */
import type { Database } from '@attune/db';

export interface ErasureCounts {
  scoreWindows: number;
  alerts: number;
}

export interface RetentionCounts {
  scoreWindows: number;
  alerts: number;
  alertEvents: number;
  tabletSessions: number;
  tabletPairings: number;
  stays: number;
}

const count = (rows: unknown[]) => rows.length;

export class DataLifecycleRepository {
  constructor(private readonly db: Database) {}

  /**
   * Erases what was measured for a stay: its score windows, and the evidence in its alerts
   * (explanation replaced by `erasedExplanation`, note and event details cleared). Alert rows stay
   * as the record of what nurses did (opened/acknowledged/resolved, when, by whom, outcome).
   * Marks the stay so that windows measured up to `at` are refused if an agent replays them later.
   */
  /** From this moment ingest refuses windows of the stay measured up to `at` (replays included). */
  async markErased(stayId: string, at: Date): Promise<void> {
    await this.db.query(`update stay set data_erased_at = $2 where id = $1`, [stayId, at.toISOString()]);
  }

  async eraseStay(stayId: string, erasedExplanation: Record<string, unknown>): Promise<ErasureCounts> {
    return this.db.transaction(async (q) => {
      const windows = await q(`delete from score_window where stay_id = $1 returning seq`, [stayId]);
      const alerts = await q(`update alert set explanation = $2::jsonb, note = null where stay_id = $1 returning id`, [
        stayId,
        JSON.stringify(erasedExplanation),
      ]);
      await q(`update alert_event set detail = '{}'::jsonb where alert_id in (select id from alert where stay_id = $1)`, [stayId]);
      return { scoreWindows: count(windows), alerts: count(alerts) };
    });
  }

  /**
   * Retention: score windows measured before `cutoff`, and everything but the consent ledger of
   * stays discharged before `cutoff` (their alerts with events, alert sensitivity, tablet sessions and pairing codes).
   */
  async purgeBefore(cutoff: Date): Promise<RetentionCounts> {
    return this.db.transaction(async (q) => {
      const c = cutoff.toISOString();
      const old = `select id from stay where discharged_at is not null and discharged_at < $1`;
      const stays = await q(old, [c]);
      const windows = await q(`delete from score_window where window_end < $1 or stay_id in (${old}) returning seq`, [c]);
      const [events] = await q<{ n: number }>(
        `select count(*)::int as n from alert_event where alert_id in (select id from alert where stay_id in (${old}))`,
        [c],
      );
      const alerts = await q(`delete from alert where stay_id in (${old}) returning id`, [c]); // alert_event cascades
      await q(`delete from stay_alert_sensitivity where stay_id in (${old})`, [c]);
      const sessions = await q(`delete from tablet_session where stay_id in (${old}) returning token_hash`, [c]);
      const pairings = await q(`delete from tablet_pairing where stay_id in (${old}) or expires_at < $1 returning id`, [c]);
      return {
        scoreWindows: count(windows),
        alerts: count(alerts),
        alertEvents: Number(events?.n ?? 0),
        tabletSessions: count(sessions),
        tabletPairings: count(pairings),
        stays: count(stays),
      };
    });
  }
}
