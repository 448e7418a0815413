import { alert, alertEvent, appUser, bed, databaseErrorCode, patient, stay, stayAlertSensitivity, type Database } from '@attune/db';
import { and, asc, count, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, ne, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { AlertKind, AlertState, Explanation, Outcome, Priority } from '../domain/alert-types.ts';
import type { StaySensitivity } from '../domain/alert-sensitivity.ts';
import type { AlertSensitivity } from '../domain/distress-rule.ts';
import { alertQuality, type AlertQualityRow } from './alert-quality.query.ts';

export type { AlertQualityRow } from './alert-quality.query.ts';

export interface AlertRow {
  id: string;
  kind: AlertKind;
  category: 'clinical' | 'technical';
  priority: Priority;
  state: AlertState;
  conditionActive: boolean;
  wardId: string;
  bedId: string | null;
  bedLabel: string | null;
  stayId: string | null;
  patientName: string | null;
  deviceId: string | null;
  openedAt: Date;
  firingSince: Date;
  escalationLevel: number;
  escalatedAt: Date | null;
  updatedAt: Date;
  conditionClearedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  outcome: Outcome | null;
  note: string | null;
  explanation: Explanation;
}

export interface AlertEventRow {
  id: number;
  at: Date;
  type: string;
  actor: string | null;
  detail: Record<string, unknown>;
}

export interface NewAlert {
  kind: AlertKind;
  category: 'clinical' | 'technical';
  priority: Priority;
  wardId: string;
  bedId: string | null;
  stayId: string | null;
  deviceId: string | null;
  at: Date;
  explanation: Explanation;
}

const acknowledger = alias(appUser, 'ua');
const resolver = alias(appUser, 'ur');
const alertColumns = {
  id: alert.id,
  kind: alert.kind,
  category: alert.category,
  priority: alert.priority,
  state: alert.state,
  conditionActive: alert.conditionActive,
  wardId: alert.wardId,
  bedId: alert.bedId,
  bedLabel: bed.label,
  stayId: alert.stayId,
  patientName: patient.displayName,
  deviceId: alert.deviceId,
  openedAt: alert.openedAt,
  firingSince: alert.firingSince,
  escalationLevel: alert.escalationLevel,
  escalatedAt: alert.escalatedAt,
  updatedAt: alert.updatedAt,
  conditionClearedAt: alert.conditionClearedAt,
  acknowledgedAt: alert.acknowledgedAt,
  acknowledgedBy: acknowledger.displayName,
  resolvedAt: alert.resolvedAt,
  resolvedBy: resolver.displayName,
  outcome: alert.outcome,
  note: alert.note,
  // jsonb written by the alert service from an Explanation; the database does not check its shape.
  explanation: sql<Explanation>`${alert.explanation}`,
};

const isOpen = ne(alert.state, 'resolved');
/** The board's order: firing before acknowledged before resolved, high before low priority, newest first. */
const boardOrder = [
  sql`case ${alert.state} when 'firing' then 0 when 'acknowledged' then 1 else 2 end`,
  sql`case ${alert.priority} when 'high' then 0 when 'medium' then 1 else 2 end`,
  desc(alert.openedAt),
];
/** History's order: the newest alert first. */
const newestFirst = [desc(alert.openedAt), desc(alert.id)];

/** What GET /api/alerts narrows by; every field left out does not narrow. */
export interface AlertListFilter {
  states: AlertState[];
  /** null: every ward. */
  wardIds: string[] | null;
  category?: 'clinical' | 'technical' | undefined;
  kind?: AlertKind | undefined;
  priority?: Priority | undefined;
  bedId?: string | undefined;
  /** Bounds on openedAt: from inclusive, to exclusive. */
  from?: Date | undefined;
  to?: Date | undefined;
  /** board: firing, then acknowledged, then resolved, high priority first, newest first; newest: by openedAt only. */
  order: 'board' | 'newest';
  limit: number;
}

export class AlertRepository {
  constructor(private readonly db: Database) {}

  /** Alerts with their bed, patient and the names of who acknowledged and resolved them. */
  private select(where: SQL | undefined) {
    return this.db.orm
      .select(alertColumns)
      .from(alert)
      .leftJoin(bed, eq(bed.id, alert.bedId))
      .leftJoin(stay, eq(stay.id, alert.stayId))
      .leftJoin(patient, eq(patient.id, stay.patientId))
      .leftJoin(acknowledger, eq(acknowledger.id, alert.acknowledgedByUserId))
      .leftJoin(resolver, eq(resolver.id, alert.resolvedByUserId))
      .where(where);
  }

  async get(id: string): Promise<AlertRow | null> {
    const [row] = await this.select(eq(alert.id, id));
    return row ?? null;
  }

  async findOpenForStay(stayId: string, kind: AlertKind): Promise<AlertRow | null> {
    const [row] = await this.select(and(eq(alert.stayId, stayId), eq(alert.kind, kind), isOpen));
    return row ?? null;
  }

  /** Whether the stay's alert of this kind was resolved after `since` (a rebuild racing a nurse). */
  async resolvedSince(stayId: string, kind: AlertKind, since: Date): Promise<boolean> {
    const [row] = await this.db.orm
      .select({ id: alert.id })
      .from(alert)
      .where(and(eq(alert.stayId, stayId), eq(alert.kind, kind), gt(alert.resolvedAt, since)))
      .limit(1);
    return row !== undefined;
  }

  async findOpenForDevice(deviceId: string, kind: AlertKind): Promise<AlertRow | null> {
    const [row] = await this.select(and(eq(alert.deviceId, deviceId), isNull(alert.stayId), eq(alert.kind, kind), isOpen));
    return row ?? null;
  }

  /** Alerts as the filter narrows them, the first `limit` in its order. */
  async list(filter: AlertListFilter): Promise<AlertRow[]> {
    return this.select(
      and(
        inArray(alert.state, filter.states),
        filter.wardIds ? inArray(alert.wardId, filter.wardIds) : undefined,
        filter.category ? eq(alert.category, filter.category) : undefined,
        filter.kind ? eq(alert.kind, filter.kind) : undefined,
        filter.priority ? eq(alert.priority, filter.priority) : undefined,
        filter.bedId ? eq(alert.bedId, filter.bedId) : undefined,
        filter.from ? gte(alert.openedAt, filter.from) : undefined,
        filter.to ? lt(alert.openedAt, filter.to) : undefined,
      ),
    )
      .orderBy(...(filter.order === 'board' ? boardOrder : newestFirst))
      .limit(filter.limit);
  }

  async listForStay(stayId: string): Promise<AlertRow[]> {
    return this.select(eq(alert.stayId, stayId)).orderBy(desc(alert.openedAt));
  }

  async devicesWithActiveCondition(kind: AlertKind): Promise<string[]> {
    const rows = await this.db.orm
      .select({ deviceId: alert.deviceId })
      .from(alert)
      .where(and(eq(alert.kind, kind), isOpen, eq(alert.conditionActive, true), isNotNull(alert.deviceId)));
    return rows.flatMap((r) => (r.deviceId === null ? [] : [r.deviceId]));
  }

  async countOpenByKind(): Promise<{ kind: string; count: number }[]> {
    return this.db.orm.select({ kind: alert.kind, count: count() }).from(alert).where(isOpen).groupBy(alert.kind);
  }

  /**
   * Opens an alert. Null when the stay (or device) already has an open alert of the kind: the
   * database holds one at most (alert_one_open_per_*), which backs up ward ownership when several
   * instances run. Inserts nothing then.
   */
  async insert(a: NewAlert): Promise<string | null> {
    try {
      return await this.insertRow(a);
    } catch (error) {
      // Only the one-open-alert indexes mean "open already"; any other violation is an error.
      if (databaseErrorCode(error) === '23505' && /alert_one_open_per_(stay|device)_kind/.test(String((error as Error).message)))
        return null;
      throw error;
    }
  }

  private async insertRow(a: NewAlert): Promise<string> {
    const [row] = await this.db.orm
      .insert(alert)
      .values({
        kind: a.kind,
        category: a.category,
        priority: a.priority,
        state: 'firing',
        conditionActive: true,
        wardId: a.wardId,
        bedId: a.bedId,
        stayId: a.stayId,
        deviceId: a.deviceId,
        openedAt: a.at,
        firingSince: a.at,
        updatedAt: a.at,
        explanation: a.explanation,
      })
      .returning({ id: alert.id });
    return row!.id;
  }

  /** Changes what is given; what is left out stays as it is. */
  async update(
    id: string,
    change: {
      priority?: Priority;
      conditionActive?: boolean;
      conditionClearedAt?: Date | null;
      explanation?: Explanation;
      state?: AlertState;
      /** A new unacknowledged stretch: escalation starts again from level 0. */
      firingSince?: Date;
      escalationLevel?: number;
      escalatedAt?: Date | null;
      at: Date;
    },
  ): Promise<void> {
    const { at, ...given } = change;
    await this.db.orm
      .update(alert)
      .set({ ...given, updatedAt: at })
      .where(eq(alert.id, id));
  }

  /** Moves firing -> acknowledged; returns false when the alert was not firing. */
  async acknowledge(id: string, userId: string, at: Date): Promise<boolean> {
    const rows = await this.db.orm
      .update(alert)
      .set({ state: 'acknowledged', acknowledgedAt: at, acknowledgedByUserId: userId, updatedAt: at })
      .where(and(eq(alert.id, id), eq(alert.state, 'firing')))
      .returning({ id: alert.id });
    return rows.length === 1;
  }

  /** Resolves an open alert with its outcome; returns false when it was already resolved. */
  async resolve(id: string, userId: string, outcome: Outcome, note: string | null, at: Date): Promise<boolean> {
    const rows = await this.db.orm
      .update(alert)
      .set({ state: 'resolved', resolvedAt: at, resolvedByUserId: userId, outcome, note, updatedAt: at })
      .where(and(eq(alert.id, id), isOpen))
      .returning({ id: alert.id });
    return rows.length === 1;
  }

  /**
   * Firing alerts of the given priorities below `maxLevel`: the ones escalation may still raise.
   * (Few at any time; the (ward, state) index finds them.)
   */
  async escalationCandidates(priorities: Priority[], maxLevel: number): Promise<AlertRow[]> {
    if (priorities.length === 0) return [];
    return this.select(and(eq(alert.state, 'firing'), inArray(alert.priority, priorities), lt(alert.escalationLevel, maxLevel))).orderBy(
      asc(alert.firingSince),
    );
  }

  /**
   * Raises an alert from level `fromLevel` to the next and records the `escalated` event, in one
   * transaction. Only while the alert is still firing, at `fromLevel`, in the same unacknowledged
   * stretch (`firingSince`): a second server, a repeated run or an acknowledgement in between makes
   * it a no-op (false), so no level is ever recorded twice.
   */
  async escalate(
    id: string,
    expected: { fromLevel: number; firingSince: Date },
    at: Date,
    detail: { level: number; unacknowledgedS: number },
  ): Promise<boolean> {
    return this.db.orm.transaction(async (tx) => {
      const rows = await tx
        .update(alert)
        .set({ escalationLevel: expected.fromLevel + 1, escalatedAt: at, updatedAt: at })
        .where(
          and(
            eq(alert.id, id),
            eq(alert.state, 'firing'),
            eq(alert.escalationLevel, expected.fromLevel),
            eq(alert.firingSince, expected.firingSince),
          ),
        )
        .returning({ id: alert.id });
      if (rows.length !== 1) return false;
      await tx.insert(alertEvent).values({ alertId: id, at, type: 'escalated', actorUserId: null, detail });
      return true;
    });
  }

  async addEvent(alertId: string, type: string, at: Date, actorUserId: string | null, detail: Record<string, unknown> = {}): Promise<void> {
    await this.db.orm.insert(alertEvent).values({ alertId, at, type, actorUserId, detail });
  }

  async events(alertId: string): Promise<AlertEventRow[]> {
    return this.db.orm
      .select({ id: alertEvent.id, at: alertEvent.at, type: alertEvent.type, actor: appUser.displayName, detail: alertEvent.detail })
      .from(alertEvent)
      .leftJoin(appUser, eq(appUser.id, alertEvent.actorUserId))
      .where(eq(alertEvent.alertId, alertId))
      .orderBy(asc(alertEvent.id));
  }

  /** Alert-sensitivity settings with the name of who set them. */
  private selectSensitivities(where: SQL | undefined) {
    return this.db.orm
      .select({
        stayId: stayAlertSensitivity.stayId,
        sensitivity: stayAlertSensitivity.sensitivity,
        reason: stayAlertSensitivity.reason,
        setByUserId: stayAlertSensitivity.setByUserId,
        setBy: appUser.displayName,
        setAt: stayAlertSensitivity.setAt,
        expiresAt: stayAlertSensitivity.expiresAt,
      })
      .from(stayAlertSensitivity)
      .innerJoin(appUser, eq(appUser.id, stayAlertSensitivity.setByUserId))
      .where(where);
  }

  /** A stay's latest alert-sensitivity setting (it may have lapsed), or null when none was ever set. */
  async staySensitivity(stayId: string): Promise<StaySensitivity | null> {
    const [row] = await this.selectSensitivities(eq(stayAlertSensitivity.stayId, stayId));
    return row ?? null;
  }

  /** Settings still in force at `at` for active stays (the alert engine's cache after a restart). */
  async sensitivitiesInForce(at: Date, stayIds?: string[]): Promise<StaySensitivity[]> {
    const activeStays = this.db.orm.select({ id: stay.id }).from(stay).where(isNull(stay.dischargedAt));
    return this.selectSensitivities(
      and(
        gt(stayAlertSensitivity.expiresAt, at),
        inArray(stayAlertSensitivity.stayId, activeStays),
        stayIds ? inArray(stayAlertSensitivity.stayId, stayIds) : undefined,
      ),
    );
  }

  /** Replaces a stay's setting. */
  async setStaySensitivity(change: {
    stayId: string;
    sensitivity: AlertSensitivity;
    reason: string;
    setByUserId: string;
    setAt: Date;
    expiresAt: Date;
  }): Promise<StaySensitivity> {
    const { stayId, ...setting } = change;
    await this.db.orm
      .insert(stayAlertSensitivity)
      .values({ stayId, ...setting })
      .onConflictDoUpdate({ target: stayAlertSensitivity.stayId, set: setting });
    return (await this.staySensitivity(stayId))!;
  }

  /** Quality figures for the given wards (a charge nurse's own): see alertQuality. */
  async quality(from: Date, to: Date, wardIds: string[]): Promise<AlertQualityRow[]> {
    return alertQuality(this.db.orm, from, to, wardIds);
  }
}
