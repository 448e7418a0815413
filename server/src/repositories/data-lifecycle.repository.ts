/** Deleting a patient's data: erasure on request (one stay) and retention (by age). All of it in one place. */
import {
  alert,
  alertEvent,
  deviceStatusHistory,
  scoreWindow,
  stay,
  stayAlertSensitivity,
  tabletPairing,
  tabletSession,
  type Database,
  type OrmTransaction,
} from '@attune/db';
import { and, eq, inArray, isNotNull, lt, or, type SQL } from 'drizzle-orm';
import { ScorePartitionRepository } from './score-partition.repository.ts';

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
  /** Device status messages (device_status_history), by their own keep time. */
  deviceStatuses: number;
}

/** The ids of the alerts that match, as a subquery. */
const alertIds = (tx: OrmTransaction, where: SQL) => tx.select({ id: alert.id }).from(alert).where(where);

/** Stays discharged before `cutoff`, as a subquery. */
function dischargedBefore(tx: OrmTransaction, cutoff: Date) {
  return tx
    .select({ id: stay.id })
    .from(stay)
    .where(and(isNotNull(stay.dischargedAt), lt(stay.dischargedAt, cutoff)));
}

export class DataLifecycleRepository {
  /** score_window's daily partitions: retention drops whole days there before deleting rows here. */
  readonly scorePartitions: ScorePartitionRepository;

  constructor(private readonly db: Database) {
    this.scorePartitions = new ScorePartitionRepository(db);
  }

  /** From this moment ingest refuses windows of the stay measured up to `at` (replays included). */
  async markErased(stayId: string, at: Date): Promise<void> {
    await this.db.orm.update(stay).set({ dataErasedAt: at }).where(eq(stay.id, stayId));
  }

  /**
   * Erases what was measured for a stay: its score windows, and the evidence in its alerts
   * (explanation replaced by `erasedExplanation`, note and event details cleared). Alert rows stay
   * as the record of what nurses did (opened/acknowledged/resolved, when, by whom, outcome).
   */
  async eraseStay(stayId: string, erasedExplanation: Record<string, unknown>): Promise<ErasureCounts> {
    return this.db.orm.transaction(async (tx) => {
      const windows = await tx.delete(scoreWindow).where(eq(scoreWindow.stayId, stayId)).returning({ seq: scoreWindow.seq });
      const alerts = await tx
        .update(alert)
        .set({ explanation: erasedExplanation, note: null })
        .where(eq(alert.stayId, stayId))
        .returning({ id: alert.id });
      await tx
        .update(alertEvent)
        .set({ detail: {} })
        .where(inArray(alertEvent.alertId, alertIds(tx, eq(alert.stayId, stayId))));
      return { scoreWindows: windows.length, alerts: alerts.length };
    });
  }

  /**
   * Retention: score windows measured before `cutoff`, and everything but the consent ledger of
   * stays discharged before `cutoff` (their alerts with events, alert sensitivity, tablet sessions and pairing codes);
   * and device status messages received before `statusCutoff`. Whole days of score windows before
   * `cutoff` are dropped first (`scorePartitions.dropEndingBy`); what is left here is the day
   * `cutoff` falls in, windows waiting in DEFAULT, and windows of old stays in any partition.
   */
  async purgeBefore(cutoff: Date, statusCutoff: Date): Promise<RetentionCounts> {
    return this.db.orm.transaction(async (tx) => {
      const old = () => dischargedBefore(tx, cutoff);
      const stays = await old();
      // Two statements, not one OR: a condition on window_end alone lets PostgreSQL prune the
      // partitions, an OR with the stay condition would scan every one of them.
      const expired = await tx.delete(scoreWindow).where(lt(scoreWindow.windowEnd, cutoff)).returning({ seq: scoreWindow.seq });
      const ofOldStays = await tx.delete(scoreWindow).where(inArray(scoreWindow.stayId, old())).returning({ seq: scoreWindow.seq });
      const alertEvents = await tx.$count(alertEvent, inArray(alertEvent.alertId, alertIds(tx, inArray(alert.stayId, old()))));
      const alerts = await tx.delete(alert).where(inArray(alert.stayId, old())).returning({ id: alert.id }); // alert_event cascades
      await tx.delete(stayAlertSensitivity).where(inArray(stayAlertSensitivity.stayId, old()));
      const sessions = await tx
        .delete(tabletSession)
        .where(inArray(tabletSession.stayId, old()))
        .returning({ tokenHash: tabletSession.tokenHash });
      const pairings = await tx
        .delete(tabletPairing)
        .where(or(inArray(tabletPairing.stayId, old()), lt(tabletPairing.expiresAt, cutoff)))
        .returning({ id: tabletPairing.id });
      const statuses = await tx
        .delete(deviceStatusHistory)
        .where(lt(deviceStatusHistory.receivedAt, statusCutoff))
        .returning({ id: deviceStatusHistory.id });
      return {
        scoreWindows: expired.length + ofOldStays.length,
        alerts: alerts.length,
        alertEvents,
        tabletSessions: sessions.length,
        tabletPairings: pairings.length,
        stays: stays.length,
        deviceStatuses: statuses.length,
      };
    });
  }
}
