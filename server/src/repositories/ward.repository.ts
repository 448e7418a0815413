import { bed, device, patient, stay, ward, type Database } from '@attune/db';
import type { SourceState } from '@attune/protocol';
import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';

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

const wardColumns = { id: ward.id, name: ward.name };

export class WardRepository {
  constructor(private readonly db: Database) {}

  async list(): Promise<{ id: string; name: string; bedCount: number }[]> {
    return this.db.orm
      .select({ ...wardColumns, bedCount: count(bed.id) })
      .from(ward)
      .leftJoin(bed, eq(bed.wardId, ward.id))
      .groupBy(ward.id, ward.name)
      .orderBy(asc(ward.name));
  }

  async find(wardId: string): Promise<{ id: string; name: string } | null> {
    const [row] = await this.db.orm.select(wardColumns).from(ward).where(eq(ward.id, wardId));
    return row ?? null;
  }

  async findByName(name: string): Promise<{ id: string; name: string } | null> {
    const [row] = await this.db.orm.select(wardColumns).from(ward).where(eq(ward.name, name));
    return row ?? null;
  }

  async create(name: string): Promise<string> {
    const [row] = await this.db.orm.insert(ward).values({ name }).returning({ id: ward.id });
    return row!.id;
  }

  async addBed(wardId: string, label: string, position: number): Promise<string> {
    const [row] = await this.db.orm.insert(bed).values({ wardId, label, position }).returning({ id: bed.id });
    return row!.id;
  }

  /** One row per bed with its active stay and (first active) device. */
  async beds(wardId: string): Promise<BedRow[]> {
    const firstDevice = this.db.orm
      .select({ id: device.id, state: device.state, lastSeenAt: device.lastSeenAt, sources: device.sources })
      .from(device)
      .where(and(eq(device.bedId, bed.id), eq(device.isActive, true)))
      .orderBy(asc(device.id))
      .limit(1)
      .as('d');
    return this.db.orm
      .select({
        bedId: bed.id,
        label: bed.label,
        stayId: stay.id,
        patientName: patient.displayName,
        admittedAt: stay.admittedAt,
        deviceId: firstDevice.id,
        deviceState: firstDevice.state,
        lastSeenAt: firstDevice.lastSeenAt,
        sources: firstDevice.sources,
      })
      .from(bed)
      .leftJoin(stay, and(eq(stay.bedId, bed.id), isNull(stay.dischargedAt)))
      .leftJoin(patient, eq(patient.id, stay.patientId))
      .leftJoinLateral(firstDevice, sql`true`)
      .where(eq(bed.wardId, wardId))
      .orderBy(asc(bed.position));
  }
}
