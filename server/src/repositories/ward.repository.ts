import type { Database } from '@attune/db';
import type { SourceState } from '@attune/protocol';

export interface BedRow {
  bedId: string;
  label: string;
  stayId: string | null;
  patientName: string | null;
  admittedAt: Date | null;
  deviceId: string | null;
  deviceState: 'online' | 'offline' | 'never_seen' | null;
  lastSeenAt: Date | null;
  sources: { camera: SourceState; wearable: SourceState } | null;
}

export class WardRepository {
  constructor(private readonly db: Database) {}

  async list(): Promise<{ id: string; name: string; bedCount: number }[]> {
    return this.db.query(
      `select w.id, w.name, count(b.id)::int as "bedCount" from ward w left join bed b on b.ward_id = w.id group by w.id, w.name order by w.name`,
    );
  }

  async find(wardId: string): Promise<{ id: string; name: string } | null> {
    const [row] = await this.db.query<{ id: string; name: string }>(`select id, name from ward where id = $1`, [wardId]);
    return row ?? null;
  }

  async findByName(name: string): Promise<{ id: string; name: string } | null> {
    const [row] = await this.db.query<{ id: string; name: string }>(`select id, name from ward where name = $1`, [name]);
    return row ?? null;
  }

  async create(name: string): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(`insert into ward (name) values ($1) returning id`, [name]);
    return row!.id;
  }

  async addBed(wardId: string, label: string, position: number): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(`insert into bed (ward_id, label, position) values ($1, $2, $3) returning id`, [
      wardId,
      label,
      position,
    ]);
    return row!.id;
  }

  /** One row per bed with its active stay and (first active) device. */
  async beds(wardId: string): Promise<BedRow[]> {
    return this.db.query<BedRow>(
      `select b.id as "bedId", b.label, s.id as "stayId", p.display_name as "patientName", s.admitted_at as "admittedAt",
              d.id as "deviceId", d.state as "deviceState", d.last_seen_at as "lastSeenAt", d.sources
         from bed b
         left join stay s on s.bed_id = b.id and s.discharged_at is null
         left join patient p on p.id = s.patient_id
         left join lateral (select * from device where bed_id = b.id and is_active order by id limit 1) d on true
        where b.ward_id = $1 order by b.position`,
      [wardId],
    );
  }
}
