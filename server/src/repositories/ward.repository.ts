import { bed, device, patient, stay, ward, type Database, type OrmTransaction } from '@attune/db';
import type { SourceState } from '@attune/protocol';
import { and, asc, count, eq, inArray, isNull, max, ne, sql, type SQL } from 'drizzle-orm';

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

/** A ward as setup sees it, retired or not. */
export interface SetupWardRow {
  id: string;
  name: string;
  retiredAt: Date | null;
}

/** A bed as setup sees it, retired or not, with its active device (never a patient). */
export interface SetupBedRow {
  id: string;
  wardId: string;
  label: string;
  position: number;
  retiredAt: Date | null;
  deviceId: string | null;
  deviceState: 'online' | 'offline' | 'never_seen' | null;
}

const wardColumns = { id: ward.id, name: ward.name };
const setupWardColumns = { ...wardColumns, retiredAt: ward.retiredAt };
/** A device that still serves its bed: enrolled, active, not decommissioned. */
const isServing = and(eq(device.isActive, true), isNull(device.decommissionedAt));

/**
 * Wards and beds. Retired ones (ward.retired_at, bed.retired_at) are left out of everything nurses,
 * tablets and user administration choose from (`list`, `find`, `beds`); setup reads them all, and
 * their history (stays, alerts) is read elsewhere by id.
 */
export class WardRepository {
  constructor(private readonly db: Database) {}

  /** The bed's first device by id among those `which` admits, for a lateral join on `bed` (alias `d`). */
  private firstDeviceOfBed(which: SQL | undefined) {
    return this.db.orm
      .select({ id: device.id, state: device.state, lastSeenAt: device.lastSeenAt, sources: device.sources })
      .from(device)
      .where(and(eq(device.bedId, bed.id), which))
      .orderBy(asc(device.id))
      .limit(1)
      .as('d');
  }

  /** Wards in use, by name, with their number of beds in use. */
  async list(): Promise<{ id: string; name: string; bedCount: number }[]> {
    return this.db.orm
      .select({ ...wardColumns, bedCount: count(bed.id) })
      .from(ward)
      .leftJoin(bed, and(eq(bed.wardId, ward.id), isNull(bed.retiredAt)))
      .where(isNull(ward.retiredAt))
      .groupBy(ward.id, ward.name)
      .orderBy(asc(ward.name));
  }

  /** Every ward ever made, retired ones too, to name the wards that records and users still point at. */
  async names(): Promise<SetupWardRow[]> {
    return this.db.orm.select(setupWardColumns).from(ward).orderBy(asc(ward.name));
  }

  /** A ward in use, or null (a retired ward has no board). */
  async find(wardId: string): Promise<{ id: string; name: string } | null> {
    const [row] = await this.db.orm
      .select(wardColumns)
      .from(ward)
      .where(and(eq(ward.id, wardId), isNull(ward.retiredAt)));
    return row ?? null;
  }

  /** A ward by its exact name, retired or not (names are unique for ever). */
  async findByName(name: string): Promise<{ id: string; name: string; retiredAt: Date | null } | null> {
    const [row] = await this.db.orm.select(setupWardColumns).from(ward).where(eq(ward.name, name));
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

  /** One row per bed in use with its active stay and (first active) device. */
  async beds(wardId: string): Promise<BedRow[]> {
    const firstDevice = this.firstDeviceOfBed(eq(device.isActive, true));
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
      .where(and(eq(bed.wardId, wardId), isNull(bed.retiredAt)))
      .orderBy(asc(bed.position));
  }

  // --- Setup (IT) ---

  /** Wards for setup, retired ones too: all of them, or the one named (missing: []). */
  async setupWards(wardId?: string): Promise<SetupWardRow[]> {
    return this.db.orm
      .select(setupWardColumns)
      .from(ward)
      .where(wardId ? eq(ward.id, wardId) : undefined)
      .orderBy(sql`${ward.retiredAt} is not null`, asc(ward.name), asc(ward.id));
  }

  /** Beds of these wards for setup, retired ones too: in use first in board order, each with its serving device. */
  async setupBeds(wardIds: string[]): Promise<SetupBedRow[]> {
    if (wardIds.length === 0) return [];
    const firstDevice = this.firstDeviceOfBed(isServing);
    return this.db.orm
      .select({
        id: bed.id,
        wardId: bed.wardId,
        label: bed.label,
        position: bed.position,
        retiredAt: bed.retiredAt,
        deviceId: firstDevice.id,
        deviceState: firstDevice.state,
      })
      .from(bed)
      .leftJoinLateral(firstDevice, sql`true`)
      .where(inArray(bed.wardId, wardIds))
      .orderBy(sql`${bed.retiredAt} is not null`, asc(bed.position), asc(bed.label), asc(bed.id));
  }

  /** The ward a bed (retired or not) belongs to, or null for no such bed. */
  async wardOfBed(bedId: string): Promise<string | null> {
    const [row] = await this.db.orm.select({ wardId: bed.wardId }).from(bed).where(eq(bed.id, bedId));
    return row?.wardId ?? null;
  }

  /**
   * Runs one setup change in a transaction. With a ward id the ward's row is locked first, so two
   * changes to one ward's beds (two "Bed 5" at once) take turns; `change` gets null for no such ward.
   */
  async change<T>(wardId: string | null, change: (tx: WardChange, locked: SetupWardRow | null) => Promise<T>): Promise<T> {
    return this.db.orm.transaction(async (tx) => {
      const locked = wardId ? ((await tx.select(setupWardColumns).from(ward).where(eq(ward.id, wardId)).for('update'))[0] ?? null) : null;
      return change(new WardChange(tx), locked);
    });
  }
}

/** The reads and writes of one setup change, inside its transaction (see WardRepository.change). */
export class WardChange {
  constructor(private readonly tx: OrmTransaction) {}

  /** True when another ward, retired or not, has this name (case ignored: "ward 3" and "Ward 3" are one ward to a nurse). */
  async isWardNameTaken(name: string, exceptWardId?: string): Promise<boolean> {
    const [row] = await this.tx
      .select({ id: ward.id })
      .from(ward)
      .where(and(sql`lower(${ward.name}) = lower(${name})`, exceptWardId ? ne(ward.id, exceptWardId) : undefined))
      .limit(1);
    return !!row;
  }

  /** The new ward's id, or null when the name was taken meanwhile (the column is unique). */
  async insertWard(name: string): Promise<string | null> {
    const [row] = await this.tx.insert(ward).values({ name }).onConflictDoNothing({ target: ward.name }).returning({ id: ward.id });
    return row?.id ?? null;
  }

  async renameWard(wardId: string, name: string): Promise<void> {
    await this.tx.update(ward).set({ name }).where(eq(ward.id, wardId));
  }

  async retireWard(wardId: string, at: Date): Promise<void> {
    await this.tx.update(ward).set({ retiredAt: at }).where(eq(ward.id, wardId));
  }

  /** The ward's beds in use, in board order. */
  async activeBeds(wardId: string): Promise<{ id: string; label: string }[]> {
    return this.tx
      .select({ id: bed.id, label: bed.label })
      .from(bed)
      .where(and(eq(bed.wardId, wardId), isNull(bed.retiredAt)))
      .orderBy(asc(bed.position), asc(bed.id));
  }

  /** The bed, retired or not, locked until the change ends (an admission onto it waits). */
  async lockBed(bedId: string): Promise<{ id: string; wardId: string; label: string; retiredAt: Date | null } | null> {
    const [row] = await this.tx
      .select({ id: bed.id, wardId: bed.wardId, label: bed.label, retiredAt: bed.retiredAt })
      .from(bed)
      .where(eq(bed.id, bedId))
      .for('update');
    return row ?? null;
  }

  /** A new bed after every other bed of the ward (retired ones too, so positions never repeat). */
  async insertBed(wardId: string, label: string): Promise<string> {
    const [last] = await this.tx
      .select({ position: max(bed.position) })
      .from(bed)
      .where(eq(bed.wardId, wardId));
    const [row] = await this.tx
      .insert(bed)
      .values({ wardId, label, position: (last?.position ?? 0) + 1 })
      .returning({ id: bed.id });
    return row!.id;
  }

  async relabelBed(bedId: string, label: string): Promise<void> {
    await this.tx.update(bed).set({ label }).where(eq(bed.id, bedId));
  }

  /** Positions 1..n in the order given. */
  async orderBeds(bedIds: string[]): Promise<void> {
    for (const [i, id] of bedIds.entries())
      await this.tx
        .update(bed)
        .set({ position: i + 1 })
        .where(eq(bed.id, id));
  }

  async retireBed(bedId: string, at: Date): Promise<void> {
    await this.tx.update(bed).set({ retiredAt: at }).where(eq(bed.id, bedId));
  }

  /** True when a patient is in the bed now. */
  async hasActiveStay(bedId: string): Promise<boolean> {
    const [row] = await this.tx
      .select({ id: stay.id })
      .from(stay)
      .where(and(eq(stay.bedId, bedId), isNull(stay.dischargedAt)))
      .limit(1);
    return !!row;
  }

  /** The devices still serving the bed, by id. */
  async servingDevices(bedId: string): Promise<string[]> {
    const rows = await this.tx
      .select({ id: device.id })
      .from(device)
      .where(and(eq(device.bedId, bedId), isServing))
      .orderBy(asc(device.id));
    return rows.map((r) => r.id);
  }
}
