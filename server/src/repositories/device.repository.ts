import type { Database } from '@attune/db';
import type { SourceState } from '@attune/protocol';

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

export class DeviceRepository {
  constructor(private readonly db: Database) {}

  async create(device: { id: string; bedId: string | null; credentialHash: string }): Promise<void> {
    await this.db.query(
      `insert into device (id, bed_id, credential_hash) values ($1, $2, $3)
       on conflict (id) do update set bed_id = excluded.bed_id, credential_hash = excluded.credential_hash, is_active = true`,
      [device.id, device.bedId, device.credentialHash],
    );
  }

  async findContext(deviceId: string): Promise<DeviceContext | null> {
    const [row] = await this.db.query<DeviceContext>(
      `select d.id as "deviceId", d.is_active as "isActive", d.credential_hash as "credentialHash", d.bed_id as "bedId", b.ward_id as "wardId"
         from device d left join bed b on b.id = d.bed_id where d.id = $1`,
      [deviceId],
    );
    return row ?? null;
  }

  async list(): Promise<DeviceListRow[]> {
    return this.db.query<DeviceListRow>(
      `select d.id, d.is_active as "isActive", w.id as "wardId", w.name as "wardName", b.id as "bedId", b.label as "bedLabel",
              d.state, d.last_seen_at as "lastSeenAt", d.last_score_at as "lastScoreAt", d.agent_version as "agentVersion",
              d.models, d.sources, d.consent_version as "consentVersion", d.clock_offset_ms::float8 as "clockOffsetMs"
         from device d left join bed b on b.id = d.bed_id left join ward w on w.id = b.ward_id
        order by w.name nulls last, b.position nulls last, d.id`,
    );
  }

  async listActiveWithBeds(): Promise<{ id: string; bedId: string; wardId: string; consentVersion: number }[]> {
    return this.db.query(
      `select d.id, d.bed_id as "bedId", b.ward_id as "wardId", d.consent_version as "consentVersion"
         from device d join bed b on b.id = d.bed_id where d.is_active`,
    );
  }

  async findByBed(bedId: string): Promise<{ id: string; consentVersion: number }[]> {
    return this.db.query(`select id, consent_version as "consentVersion" from device where bed_id = $1 and is_active`, [bedId]);
  }

  /** Bumps and returns the device's consent message version (monotonic per device). */
  async nextConsentVersion(deviceId: string): Promise<number> {
    const [row] = await this.db.query<{ v: number }>(
      `update device set consent_version = consent_version + 1 where id = $1 returning consent_version as v`,
      [deviceId],
    );
    return row!.v;
  }

  async recordStatus(
    deviceId: string,
    status: {
      state: 'online' | 'offline';
      at: Date;
      agentVersion: string;
      models: Record<string, string>;
      sources: { camera: string; wearable: string };
      clockOffsetMs: number | null;
    },
  ): Promise<void> {
    await this.db.query(
      `update device set state = $2, last_seen_at = greatest(last_seen_at, $3::timestamptz), agent_version = $4, models = $5::jsonb,
              sources = $6::jsonb, clock_offset_ms = coalesce($7, clock_offset_ms) where id = $1`,
      [
        deviceId,
        status.state,
        status.at.toISOString(),
        status.agentVersion,
        JSON.stringify(status.models),
        JSON.stringify(status.sources),
        status.clockOffsetMs,
      ],
    );
  }

  /** Every active device on a bed, with the stay there and the consent in force at `now`. */
  async listForMonitoring(now: Date): Promise<MonitoredDevice[]> {
    const rows = await this.db.query<
      Omit<MonitoredDevice, 'consent'> & { camera: boolean | null; wearable: boolean | null; since: Date | null }
    >(
      `select d.id as "deviceId", d.bed_id as "bedId", b.ward_id as "wardId", d.state, d.last_score_at as "lastScoreAt", d.sources,
              d.clock_offset_ms::float8 as "clockOffsetMs", s.id as "stayId", c.camera, c.wearable, c.effective_at as since
         from device d
         join bed b on b.id = d.bed_id
         left join stay s on s.bed_id = b.id and s.discharged_at is null
         left join lateral (select camera, wearable, effective_at from consent_event e
                             where e.stay_id = s.id and e.effective_at <= $1 order by e.effective_at desc, e.id desc limit 1) c on true
        where d.is_active`,
      [now.toISOString()],
    );
    return rows.map(({ camera, wearable, since, ...d }) => ({
      ...d,
      consent: since !== null && camera !== null && wearable !== null ? { camera, wearable, since } : null,
    }));
  }

  /** Marks devices seen by accepted scores in one statement per batch. */
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
    return this.db.query(
      `update device set state = 'offline' where is_active and state = 'online' and (last_seen_at is null or last_seen_at < $1)
       returning id, last_seen_at as "lastSeenAt"`,
      [before.toISOString()],
    );
  }

  async listOfflineSince(before: Date): Promise<{ id: string; lastSeenAt: Date | null; bedId: string | null; wardId: string | null }[]> {
    return this.db.query(
      `select d.id, d.last_seen_at as "lastSeenAt", d.bed_id as "bedId", b.ward_id as "wardId"
         from device d left join bed b on b.id = d.bed_id
        where d.is_active and d.state = 'offline' and (d.last_seen_at is null or d.last_seen_at < $1)`,
      [before.toISOString()],
    );
  }
}
