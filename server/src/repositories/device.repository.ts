import { bed, consentEvent, device, deviceStatusHistory, stay, ward, type Database } from '@attune/db';
import type { DeviceStatus, SourceState } from '@attune/protocol';
import { and, asc, desc, eq, gt, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';

export interface DeviceContext {
  deviceId: string;
  isActive: boolean;
  credentialHash: string;
  bedId: string | null;
  wardId: string | null;
}

export interface DeviceListRow {
  id: string;
  isActive: boolean;
  wardId: string | null;
  wardName: string | null;
  bedId: string | null;
  bedLabel: string | null;
  state: 'online' | 'offline' | 'never_seen';
  lastSeenAt: Date | null;
  lastScoreAt: Date | null;
  agentVersion: string | null;
  models: Record<string, string>;
  sources: { camera: SourceState; wearable: SourceState } | null;
  consentVersion: number;
  clockOffsetMs: number | null;
  decommissionedAt: Date | null;
  /** The last status of the running agent (an offline status, often the Last Will, does not replace it). */
  lastStatus: DeviceStatus | null;
}

/** One stored status message (device_status_history), newest has the largest id. */
export interface DeviceStatusHistoryRow {
  id: number;
  receivedAt: Date;
  status: DeviceStatus;
}

/** What the monitoring watchdog needs about a device, its bed and the consent in force there. */
export interface MonitoredDevice {
  deviceId: string;
  bedId: string;
  wardId: string;
  state: 'online' | 'offline' | 'never_seen';
  lastScoreAt: Date | null;
  sources: { camera: SourceState; wearable: SourceState } | null;
  clockOffsetMs: number | null;
  stayId: string | null;
  /** The consent in force for that stay now; null without a stay or consent. */
  consent: { camera: boolean; wearable: boolean; since: Date } | null;
}

const isActive = eq(device.isActive, true);
/** Not heard from since `before` (or never). */
const silentSince = (before: Date) => or(isNull(device.lastSeenAt), lt(device.lastSeenAt, before));

export class DeviceRepository {
  constructor(private readonly db: Database) {}

  async create(d: { id: string; bedId: string | null; credentialHash: string }): Promise<void> {
    await this.db.orm
      .insert(device)
      .values({ id: d.id, bedId: d.bedId, credentialHash: d.credentialHash })
      .onConflictDoUpdate({ target: device.id, set: { bedId: d.bedId, credentialHash: d.credentialHash, isActive: true } });
  }

  async findContext(deviceId: string): Promise<DeviceContext | null> {
    const [row] = await this.db.orm
      .select({
        deviceId: device.id,
        isActive: device.isActive,
        credentialHash: device.credentialHash,
        bedId: device.bedId,
        wardId: bed.wardId,
      })
      .from(device)
      .leftJoin(bed, eq(bed.id, device.bedId))
      .where(eq(device.id, deviceId));
    return row ?? null;
  }

  /** Every device (or the one asked for), by ward and bed. */
  async list(only?: { deviceId: string }): Promise<DeviceListRow[]> {
    return this.db.orm
      .select({
        id: device.id,
        isActive: device.isActive,
        wardId: ward.id,
        wardName: ward.name,
        bedId: bed.id,
        bedLabel: bed.label,
        state: device.state,
        lastSeenAt: device.lastSeenAt,
        lastScoreAt: device.lastScoreAt,
        agentVersion: device.agentVersion,
        models: device.models,
        sources: device.sources,
        consentVersion: device.consentVersion,
        clockOffsetMs: device.clockOffsetMs,
        decommissionedAt: device.decommissionedAt,
        lastStatus: device.lastStatus,
      })
      .from(device)
      .leftJoin(bed, eq(bed.id, device.bedId))
      .leftJoin(ward, eq(ward.id, bed.wardId))
      .where(only ? eq(device.id, only.deviceId) : undefined)
      .orderBy(sql`${ward.name} nulls last`, sql`${bed.position} nulls last`, asc(device.id));
  }

  async listActiveWithBeds(): Promise<{ id: string; bedId: string; wardId: string; consentVersion: number }[]> {
    return this.db.orm
      .select({ id: device.id, bedId: bed.id, wardId: bed.wardId, consentVersion: device.consentVersion })
      .from(device)
      .innerJoin(bed, eq(bed.id, device.bedId))
      .where(isActive);
  }

  async findByBed(bedId: string): Promise<{ id: string; consentVersion: number }[]> {
    return this.db.orm
      .select({ id: device.id, consentVersion: device.consentVersion })
      .from(device)
      .where(and(eq(device.bedId, bedId), isActive));
  }

  /** Bumps and returns the device's consent message version (monotonic per device). */
  async nextConsentVersion(deviceId: string): Promise<number> {
    const [row] = await this.db.orm
      .update(device)
      .set({ consentVersion: sql`${device.consentVersion} + 1` })
      .where(eq(device.id, deviceId))
      .returning({ v: device.consentVersion });
    return row!.v;
  }

  /**
   * A status as received: the device row follows it and the message joins the device's status
   * history, in one transaction (one small insert per status, every 20 s per device). `seenAt`:
   * what it says about when the device was last heard (a status delivered late never moves it back).
   */
  /**
   * Statuses of several devices, at most one each, in one transaction: each device's row, then
   * one multi-row insert into the history (one commit for a whole wave of heartbeats).
   */
  async recordStatuses(rows: { status: DeviceStatus; seenAt: Date; receivedAt: Date }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.orm.transaction(async (tx) => {
      for (const { status, seenAt } of rows) {
        await tx
          .update(device)
          .set({
            state: status.state,
            lastSeenAt: sql`greatest(${device.lastSeenAt}, ${seenAt.toISOString()}::timestamptz)`,
            agentVersion: status.agentVersion,
            models: status.models,
            sources: status.sources,
            // An agent that has not measured its clock yet keeps the last measurement.
            ...(status.clockOffsetMs !== null ? { clockOffsetMs: status.clockOffsetMs } : {}),
            // The Last Will is written when the agent connects: the running agent's last report says more.
            ...(status.state === 'online' ? { lastStatus: status } : {}),
          })
          .where(eq(device.id, status.deviceId));
      }
      await tx
        .insert(deviceStatusHistory)
        .values(rows.map(({ status, receivedAt }) => ({ deviceId: status.deviceId, receivedAt, status })));
    });
  }

  /** A device's statuses, newest first: `limit` of them received before the one with id `before` (or the newest). */
  async statusHistory(deviceId: string, page: { limit: number; before?: number }): Promise<DeviceStatusHistoryRow[]> {
    return this.db.orm
      .select({ id: deviceStatusHistory.id, receivedAt: deviceStatusHistory.receivedAt, status: deviceStatusHistory.status })
      .from(deviceStatusHistory)
      .where(
        and(eq(deviceStatusHistory.deviceId, deviceId), page.before !== undefined ? lt(deviceStatusHistory.id, page.before) : undefined),
      )
      .orderBy(desc(deviceStatusHistory.id))
      .limit(page.limit);
  }

  /**
   * Each device's outbox backlog in its last `perDevice` statuses received after `since`, oldest
   * first (statuses without the field left out): whether a backlog is growing.
   */
  async recentBacklogs(since: Date, perDevice: number, deviceId?: string): Promise<Map<string, number[]>> {
    const recent = this.db.orm
      .select({
        deviceId: deviceStatusHistory.deviceId,
        id: deviceStatusHistory.id,
        backlog: sql<string | null>`${deviceStatusHistory.status}->>'outboxBacklog'`.as('backlog'),
        rank: sql<number>`row_number() over (partition by ${deviceStatusHistory.deviceId} order by ${deviceStatusHistory.id} desc)`.as(
          'rank',
        ),
      })
      .from(deviceStatusHistory)
      .where(
        and(gt(deviceStatusHistory.receivedAt, since), deviceId !== undefined ? eq(deviceStatusHistory.deviceId, deviceId) : undefined),
      )
      .as('recent');
    const rows = await this.db.orm
      .select({ deviceId: recent.deviceId, backlog: recent.backlog })
      .from(recent)
      .where(lte(recent.rank, perDevice) as SQL)
      .orderBy(recent.deviceId, recent.id);
    const byDevice = new Map<string, number[]>();
    for (const r of rows) {
      if (r.backlog === null) continue;
      const list = byDevice.get(r.deviceId) ?? [];
      list.push(Number(r.backlog));
      byDevice.set(r.deviceId, list);
    }
    return byDevice;
  }

  /** Every active device on a bed, with the stay there and the consent in force at `now`. */
  async listForMonitoring(now: Date): Promise<MonitoredDevice[]> {
    const consentInForce = this.db.orm
      .select({ camera: consentEvent.camera, wearable: consentEvent.wearable, since: consentEvent.effectiveAt })
      .from(consentEvent)
      .where(and(eq(consentEvent.stayId, stay.id), lte(consentEvent.effectiveAt, now)))
      .orderBy(desc(consentEvent.effectiveAt), desc(consentEvent.id))
      .limit(1)
      .as('c');
    const rows = await this.db.orm
      .select({
        deviceId: device.id,
        bedId: bed.id,
        wardId: bed.wardId,
        state: device.state,
        lastScoreAt: device.lastScoreAt,
        sources: device.sources,
        clockOffsetMs: device.clockOffsetMs,
        stayId: stay.id,
        camera: consentInForce.camera,
        wearable: consentInForce.wearable,
        since: consentInForce.since,
      })
      .from(device)
      .innerJoin(bed, eq(bed.id, device.bedId))
      .leftJoin(stay, and(eq(stay.bedId, bed.id), isNull(stay.dischargedAt)))
      .leftJoinLateral(consentInForce, sql`true`)
      .where(isActive);
    return rows.map(({ camera, wearable, since, ...d }) => ({
      ...d,
      consent: since !== null && camera !== null && wearable !== null ? { camera, wearable, since } : null,
    }));
  }

  /**
   * Marks devices seen by accepted scores in one statement per batch. Raw SQL: this is ingest's
   * hot path (one call per stored batch), and one array per column keeps the statement's size
   * fixed whatever the batch; drizzle has no way to write `update ... from unnest(...)`.
   */
  async markSeen(seen: { deviceId: string; at: Date }[]): Promise<void> {
    if (seen.length === 0) return;
    await this.db.query(
      `update device d set last_seen_at = greatest(d.last_seen_at, s.at), last_score_at = greatest(d.last_score_at, s.at), state = 'online'
         from (select unnest($1::text[]) as id, unnest($2::timestamptz[]) as at) s where d.id = s.id`,
      [seen.map((s) => s.deviceId), seen.map((s) => s.at.toISOString())],
    );
  }

  /** Online devices not heard from since `before`: they become offline. Returns them. */
  async markSilentOffline(before: Date): Promise<{ id: string; lastSeenAt: Date | null }[]> {
    return this.db.orm
      .update(device)
      .set({ state: 'offline' })
      .where(and(isActive, eq(device.state, 'online'), silentSince(before)))
      .returning({ id: device.id, lastSeenAt: device.lastSeenAt });
  }

  async listOfflineSince(before: Date): Promise<{ id: string; lastSeenAt: Date | null; bedId: string | null; wardId: string | null }[]> {
    return this.db.orm
      .select({ id: device.id, lastSeenAt: device.lastSeenAt, bedId: device.bedId, wardId: bed.wardId })
      .from(device)
      .leftJoin(bed, eq(bed.id, device.bedId))
      .where(and(isActive, eq(device.state, 'offline'), silentSince(before)));
  }
}
