import type { Database } from '@attune/db';
import type { AlertKind, AlertState, Explanation, Outcome, Priority } from '../services/alert-types.ts';

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

  async list(filter: { states: AlertState[]; wardId?: string | undefined; limit: number }): Promise<AlertRow[]> {
    const params: unknown[] = [filter.states];
    let where = `where a.state = any($1::text[])`;
    if (filter.wardId) {
      params.push(filter.wardId);
      where += ` and a.ward_id = $${params.length}`;
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
}
