import type { Database } from '@attune/db';
import type { AlertKind, AlertState, Explanation, Outcome, Priority } from '../domain/alert-types.ts';
import type { StaySensitivity } from '../domain/alert-sensitivity.ts';
import type { AlertSensitivity } from '../domain/distress-rule.ts';

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

const SELECT = `
  select a.id, a.kind, a.category, a.priority, a.state, a.condition_active as "conditionActive", a.ward_id as "wardId",
         a.bed_id as "bedId", b.label as "bedLabel", a.stay_id as "stayId", p.display_name as "patientName", a.device_id as "deviceId",
         a.opened_at as "openedAt", a.updated_at as "updatedAt", a.condition_cleared_at as "conditionClearedAt",
         a.acknowledged_at as "acknowledgedAt", ua.display_name as "acknowledgedBy",
         a.resolved_at as "resolvedAt", ur.display_name as "resolvedBy", a.outcome, a.note, a.explanation
    from alert a
    left join bed b on b.id = a.bed_id
    left join stay s on s.id = a.stay_id
    left join patient p on p.id = s.patient_id
    left join app_user ua on ua.id = a.acknowledged_by_user_id
    left join app_user ur on ur.id = a.resolved_by_user_id`;

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

const SENSITIVITY_SELECT = `
  select s.stay_id as "stayId", s.sensitivity, s.reason, s.set_by_user_id as "setByUserId", u.display_name as "setBy",
         s.set_at as "setAt", s.expires_at as "expiresAt"
    from stay_alert_sensitivity s join app_user u on u.id = s.set_by_user_id`;

/** Alert figures for one ward and kind over a period (GET /api/alerts/quality). */
export interface AlertQualityRow {
  wardId: string;
  wardName: string;
  /** Sum of stay time in the ward's beds overlapping the period, days. */
  patientDays: number;
  /** Null on a ward row without any alert in the period. */
  kind: AlertKind | null;
  alerts: number;
  /** Alerts opened per patient-day; null when the ward had no patient time in the period. */
  alertsPerPatientDay: number | null;
  intervened: number;
  comforted: number;
  noActionNeeded: number;
  falseAlarm: number;
  /** Alerts without a recorded outcome (not resolved yet). */
  noneRecorded: number;
  /** Alerts a person responded to (acknowledged, or resolved without an acknowledgement). */
  responded: number;
  /** Seconds from opening to the first response: median and 90th percentile (linear interpolation); null without any. */
  responseMedianS: number | null;
  responseP90S: number | null;
}

export class AlertRepository {
  constructor(private readonly db: Database) {}

  async get(id: string): Promise<AlertRow | null> {
    const [row] = await this.db.query<AlertRow>(`${SELECT} where a.id = $1`, [id]);
    return row ?? null;
  }

  async findOpenForStay(stayId: string, kind: AlertKind): Promise<AlertRow | null> {
    const [row] = await this.db.query<AlertRow>(`${SELECT} where a.stay_id = $1 and a.kind = $2 and a.state <> 'resolved'`, [stayId, kind]);
    return row ?? null;
  }

  async findOpenForDevice(deviceId: string, kind: AlertKind): Promise<AlertRow | null> {
    const [row] = await this.db.query<AlertRow>(
      `${SELECT} where a.device_id = $1 and a.stay_id is null and a.kind = $2 and a.state <> 'resolved'`,
      [deviceId, kind],
    );
    return row ?? null;
  }

  /** Alerts in the given states on the given wards (null: every ward), of one category or both. */
  async list(filter: {
    states: AlertState[];
    wardIds: string[] | null;
    category?: 'clinical' | 'technical' | undefined;
    limit: number;
  }): Promise<AlertRow[]> {
    const params: unknown[] = [filter.states];
    let where = `where a.state = any($1::text[])`;
    if (filter.wardIds) {
      params.push(filter.wardIds);
      where += ` and a.ward_id = any($${params.length}::uuid[])`;
    }
    if (filter.category) {
      params.push(filter.category);
      where += ` and a.category = $${params.length}`;
    }
    params.push(filter.limit);
    return this.db.query<AlertRow>(
      `${SELECT} ${where}
       order by case a.state when 'firing' then 0 when 'acknowledged' then 1 else 2 end,
                case a.priority when 'high' then 0 when 'medium' then 1 else 2 end, a.opened_at desc
       limit $${params.length}`,
      params,
    );
  }

  async listForStay(stayId: string): Promise<AlertRow[]> {
    return this.db.query<AlertRow>(`${SELECT} where a.stay_id = $1 order by a.opened_at desc`, [stayId]);
  }

  async devicesWithActiveCondition(kind: AlertKind): Promise<string[]> {
    const rows = await this.db.query<{ deviceId: string }>(
      `select device_id as "deviceId" from alert where kind = $1 and state <> 'resolved' and condition_active and device_id is not null`,
      [kind],
    );
    return rows.map((r) => r.deviceId);
  }

  async countOpenByKind(): Promise<{ kind: string; count: number }[]> {
    return this.db.query(`select kind, count(*)::int as count from alert where state <> 'resolved' group by kind`);
  }

  async insert(a: NewAlert): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(
      `insert into alert (kind, category, priority, state, condition_active, ward_id, bed_id, stay_id, device_id, opened_at, updated_at, explanation)
       values ($1, $2, $3, 'firing', true, $4, $5, $6, $7, $8, $8, $9::jsonb) returning id`,
      [a.kind, a.category, a.priority, a.wardId, a.bedId, a.stayId, a.deviceId, a.at.toISOString(), JSON.stringify(a.explanation)],
    );
    return row!.id;
  }

  async update(
    id: string,
    change: {
      priority?: Priority;
      conditionActive?: boolean;
      conditionClearedAt?: Date | null;
      explanation?: Explanation;
      state?: AlertState;
      at: Date;
    },
  ): Promise<void> {
    await this.db.query(
      `update alert set
         priority = coalesce($2, priority),
         condition_active = coalesce($3, condition_active),
         condition_cleared_at = case when $4::boolean then $5::timestamptz else condition_cleared_at end,
         explanation = coalesce($6::jsonb, explanation),
         state = coalesce($7, state),
         updated_at = $8
       where id = $1`,
      [
        id,
        change.priority ?? null,
        change.conditionActive ?? null,
        change.conditionClearedAt !== undefined,
        change.conditionClearedAt ? change.conditionClearedAt.toISOString() : null,
        change.explanation ? JSON.stringify(change.explanation) : null,
        change.state ?? null,
        change.at.toISOString(),
      ],
    );
  }

  /** Moves firing -> acknowledged; returns false when the alert was not firing. */
  async acknowledge(id: string, userId: string, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      `update alert set state = 'acknowledged', acknowledged_at = $3, acknowledged_by_user_id = $2, updated_at = $3
        where id = $1 and state = 'firing' returning id`,
      [id, userId, at.toISOString()],
    );
    return rows.length === 1;
  }

  /** Resolves an open alert with its outcome; returns false when it was already resolved. */
  async resolve(id: string, userId: string, outcome: Outcome, note: string | null, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      `update alert set state = 'resolved', resolved_at = $3, resolved_by_user_id = $2, outcome = $4, note = $5, updated_at = $3
        where id = $1 and state <> 'resolved' returning id`,
      [id, userId, at.toISOString(), outcome, note],
    );
    return rows.length === 1;
  }

  async addEvent(alertId: string, type: string, at: Date, actorUserId: string | null, detail: Record<string, unknown> = {}): Promise<void> {
    await this.db.query(`insert into alert_event (alert_id, at, type, actor_user_id, detail) values ($1, $2, $3, $4, $5::jsonb)`, [
      alertId,
      at.toISOString(),
      type,
      actorUserId,
      JSON.stringify(detail),
    ]);
  }

  async events(alertId: string): Promise<AlertEventRow[]> {
    return this.db.query<AlertEventRow>(
      `select e.id::float8 as id, e.at, e.type, u.display_name as actor, e.detail
         from alert_event e left join app_user u on u.id = e.actor_user_id where e.alert_id = $1 order by e.id`,
      [alertId],
    );
  }

  /** A stay's latest alert-sensitivity setting (it may have lapsed), or null when none was ever set. */
  async staySensitivity(stayId: string): Promise<StaySensitivity | null> {
    const [row] = await this.db.query<StaySensitivity>(`${SENSITIVITY_SELECT} where s.stay_id = $1`, [stayId]);
    return row ?? null;
  }

  /** Settings still in force at `at` for active stays (the alert engine's cache after a restart). */
  async sensitivitiesInForce(at: Date, stayIds?: string[]): Promise<StaySensitivity[]> {
    const params: unknown[] = [at.toISOString()];
    let where = `where s.expires_at > $1 and s.stay_id in (select id from stay where discharged_at is null)`;
    if (stayIds) {
      params.push(stayIds);
      where += ` and s.stay_id = any($2::uuid[])`;
    }
    return this.db.query<StaySensitivity>(`${SENSITIVITY_SELECT} ${where}`, params);
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
    await this.db.query(
      `insert into stay_alert_sensitivity (stay_id, sensitivity, reason, set_by_user_id, set_at, expires_at)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (stay_id) do update set sensitivity = excluded.sensitivity, reason = excluded.reason,
         set_by_user_id = excluded.set_by_user_id, set_at = excluded.set_at, expires_at = excluded.expires_at`,
      [change.stayId, change.sensitivity, change.reason, change.setByUserId, change.setAt.toISOString(), change.expiresAt.toISOString()],
    );
    return (await this.staySensitivity(change.stayId))!;
  }

  /**
   * Alert quality per ward and kind for alerts opened in [from, to): alerts per patient-day, counts
   * by outcome, and the time to the first response. Patient-days are the stay time in each ward's
   * beds (stay_bed) that overlaps the period, so a transfer splits a stay between wards. Every ward
   * appears; a ward without alerts has one row with `kind` null.
   */
  /** Quality figures for the given wards (a charge nurse's own). */
  async quality(from: Date, to: Date, wardIds: string[]): Promise<AlertQualityRow[]> {
    return this.db.query<AlertQualityRow>(
      `with exposure as (
         select b.ward_id,
                sum(extract(epoch from (least(coalesce(sb.until_at, $2::timestamptz), $2::timestamptz)
                                        - greatest(sb.from_at, $1::timestamptz)))) / 86400.0 as patient_days
           from stay_bed sb join bed b on b.id = sb.bed_id
          where sb.from_at < $2::timestamptz and (sb.until_at is null or sb.until_at > $1::timestamptz)
          group by b.ward_id
       ), counts as (
         select a.ward_id, a.kind, count(*) as alerts,
                count(*) filter (where a.outcome = 'intervened') as intervened,
                count(*) filter (where a.outcome = 'comforted') as comforted,
                count(*) filter (where a.outcome = 'no_action_needed') as no_action_needed,
                count(*) filter (where a.outcome = 'false_alarm') as false_alarm,
                count(*) filter (where a.outcome is null) as none_recorded,
                count(coalesce(a.acknowledged_at, a.resolved_at)) as responded,
                percentile_cont(0.5) within group (order by extract(epoch from (coalesce(a.acknowledged_at, a.resolved_at) - a.opened_at))) as response_median_s,
                percentile_cont(0.9) within group (order by extract(epoch from (coalesce(a.acknowledged_at, a.resolved_at) - a.opened_at))) as response_p90_s
           from alert a
          where a.opened_at >= $1::timestamptz and a.opened_at < $2::timestamptz
          group by a.ward_id, a.kind
       )
       select w.id as "wardId", w.name as "wardName", coalesce(e.patient_days, 0)::float8 as "patientDays", c.kind,
              coalesce(c.alerts, 0)::int as alerts,
              (c.alerts / nullif(e.patient_days, 0))::float8 as "alertsPerPatientDay",
              coalesce(c.intervened, 0)::int as intervened, coalesce(c.comforted, 0)::int as comforted,
              coalesce(c.no_action_needed, 0)::int as "noActionNeeded", coalesce(c.false_alarm, 0)::int as "falseAlarm",
              coalesce(c.none_recorded, 0)::int as "noneRecorded", coalesce(c.responded, 0)::int as responded,
              c.response_median_s::float8 as "responseMedianS", c.response_p90_s::float8 as "responseP90S"
         from ward w
         left join exposure e on e.ward_id = w.id
         left join counts c on c.ward_id = w.id
        where w.id = any($3::uuid[])
        order by w.name, w.id, c.kind`,
      [from.toISOString(), to.toISOString(), wardIds],
    );
  }
}
