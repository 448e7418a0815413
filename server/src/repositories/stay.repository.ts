import {
  alert,
  bed,
  consentEvent,
  databaseErrorCode,
  patient,
  stay,
  stayBed,
  tabletPairing,
  tabletSession,
  type Database,
  type OrmTransaction,
} from '@attune/db';
import { and, asc, desc, eq, inArray, isNull, lte, min, ne } from 'drizzle-orm';
import type { ConsentEventRow, NewConsentEvent } from '../domain/consent-ledger.ts';

export interface StayRow {
  id: string;
  patientName: string;
  externalId: string | null;
  bedId: string;
  bedLabel: string;
  wardId: string;
  admittedAt: Date;
  dischargedAt: Date | null;
  dataErasedAt: Date | null;
}

export interface BedAssignmentRow {
  stayId: string;
  fromAt: Date;
  untilAt: Date | null;
  dataErasedAt: Date | null;
}

/** PostgreSQL unique_violation (both drivers expose the SQLSTATE as `code`). */
export const isUniqueViolation = (error: unknown) => databaseErrorCode(error) === '23505';

/** The bed was retired between the check and the write: it takes no patient. */
export class BedRetiredError extends Error {}

/**
 * Holds the bed in use for the rest of the transaction, or throws BedRetiredError. Setup retires a
 * bed under FOR UPDATE after checking it is empty, so an admission or a transfer and a retirement
 * take turns: whichever comes second sees the other's result.
 */
async function holdBedInUse(tx: OrmTransaction, bedId: string): Promise<void> {
  const [row] = await tx
    .select({ id: bed.id })
    .from(bed)
    .where(and(eq(bed.id, bedId), isNull(bed.retiredAt)))
    .for('share');
  if (!row) throw new BedRetiredError('The bed has been retired');
}

/** Ends the stay's current bed assignment (stay_bed) at `at`. */
async function closeBedAssignment(tx: OrmTransaction, stayId: string, at: Date): Promise<void> {
  await tx
    .update(stayBed)
    .set({ untilAt: at })
    .where(and(eq(stayBed.stayId, stayId), isNull(stayBed.untilAt)));
}

export class StayRepository {
  constructor(private readonly db: Database) {}

  /** A new patient and stay in the bed. Throws a unique violation if the bed is taken, BedRetiredError if it was retired. */
  async admit(p: { displayName: string; externalId?: string | null }, bedId: string, admittedAt: Date): Promise<string> {
    return this.db.orm.transaction(async (tx) => {
      await holdBedInUse(tx, bedId);
      const [newPatient] = await tx
        .insert(patient)
        .values({ displayName: p.displayName, externalId: p.externalId ?? null })
        .returning({ id: patient.id });
      const [newStay] = await tx.insert(stay).values({ patientId: newPatient!.id, bedId, admittedAt }).returning({ id: stay.id });
      await tx.insert(stayBed).values({ stayId: newStay!.id, bedId, fromAt: admittedAt });
      return newStay!.id;
    });
  }

  async find(stayId: string): Promise<StayRow | null> {
    const [row] = await this.db.orm
      .select({
        id: stay.id,
        patientName: patient.displayName,
        externalId: patient.externalId,
        bedId: bed.id,
        bedLabel: bed.label,
        wardId: bed.wardId,
        admittedAt: stay.admittedAt,
        dischargedAt: stay.dischargedAt,
        dataErasedAt: stay.dataErasedAt,
      })
      .from(stay)
      .innerJoin(patient, eq(patient.id, stay.patientId))
      .innerJoin(bed, eq(bed.id, stay.bedId))
      .where(eq(stay.id, stayId));
    return row ?? null;
  }

  /** A bed in use (a retired bed takes no admission, transfer or tablet: null, as for no such bed). */
  async findBed(bedId: string): Promise<{ id: string; label: string; wardId: string } | null> {
    const [row] = await this.db.orm
      .select({ id: bed.id, label: bed.label, wardId: bed.wardId })
      .from(bed)
      .where(and(eq(bed.id, bedId), isNull(bed.retiredAt)));
    return row ?? null;
  }

  /**
   * Moves an active stay to another bed at `at`: closes its current bed assignment, opens one on
   * the new bed, and moves its open alerts along. Throws a unique violation if the bed is taken,
   * BedRetiredError if it was retired.
   */
  async transfer(stayId: string, toBedId: string, at: Date): Promise<void> {
    await this.db.orm.transaction(async (tx) => {
      await holdBedInUse(tx, toBedId);
      await tx.select({ id: stay.id }).from(stay).where(eq(stay.id, stayId)).for('update');
      await tx
        .update(stay)
        .set({ bedId: toBedId })
        .where(and(eq(stay.id, stayId), isNull(stay.dischargedAt)));
      await closeBedAssignment(tx, stayId, at);
      await tx.insert(stayBed).values({ stayId, bedId: toBedId, fromAt: at });
      await tx
        .update(alert)
        .set({ bedId: toBedId })
        .where(and(eq(alert.stayId, stayId), ne(alert.state, 'resolved')));
    });
  }

  /** Ends a stay at `at`: closes its bed assignment, ends its tablet sessions and revokes unused pairing codes. */
  async discharge(stayId: string, at: Date): Promise<boolean> {
    return this.db.orm.transaction(async (tx) => {
      const done = await tx
        .update(stay)
        .set({ dischargedAt: at })
        .where(and(eq(stay.id, stayId), isNull(stay.dischargedAt)))
        .returning({ id: stay.id });
      if (done.length === 0) return false;
      await closeBedAssignment(tx, stayId, at);
      await tx.delete(tabletSession).where(eq(tabletSession.stayId, stayId));
      await tx
        .update(tabletPairing)
        .set({ usedAt: at })
        .where(and(eq(tabletPairing.stayId, stayId), isNull(tabletPairing.usedAt)));
      return true;
    });
  }

  /** Every assignment to this bed of a stay that is still active (ingest's bed history). */
  async activeAssignmentsForBed(bedId: string): Promise<BedAssignmentRow[]> {
    return this.db.orm
      .select({ stayId: stayBed.stayId, fromAt: stayBed.fromAt, untilAt: stayBed.untilAt, dataErasedAt: stay.dataErasedAt })
      .from(stayBed)
      .innerJoin(stay, eq(stay.id, stayBed.stayId))
      .where(and(eq(stayBed.bedId, bedId), isNull(stay.dischargedAt)))
      .orderBy(asc(stayBed.fromAt));
  }

  /** Stays that have a consent ledger, oldest first (for verifying every chain). */
  async stayIdsWithConsent(): Promise<string[]> {
    const rows = await this.db.orm
      .select({ stayId: consentEvent.stayId })
      .from(consentEvent)
      .groupBy(consentEvent.stayId)
      .orderBy(min(consentEvent.id));
    return rows.map((r) => r.stayId);
  }

  async activeStayForBed(bedId: string): Promise<{ id: string; admittedAt: Date; dischargedAt: Date | null } | null> {
    const [row] = await this.db.orm
      .select({ id: stay.id, admittedAt: stay.admittedAt, dischargedAt: stay.dischargedAt })
      .from(stay)
      .where(and(eq(stay.bedId, bedId), isNull(stay.dischargedAt)));
    return row ?? null;
  }

  async consentEvents(stayId: string): Promise<ConsentEventRow[]> {
    return this.db.orm.select().from(consentEvent).where(eq(consentEvent.stayId, stayId)).orderBy(asc(consentEvent.id));
  }

  /**
   * Appends a consent event; `build` receives the previous hash under a row lock on the stay,
   * so concurrent writers cannot fork the chain.
   */
  async appendConsent(stayId: string, build: (prevHash: string) => NewConsentEvent): Promise<ConsentEventRow> {
    return this.db.orm.transaction(async (tx) => {
      await tx.select({ id: stay.id }).from(stay).where(eq(stay.id, stayId)).for('update');
      const [last] = await tx
        .select({ hash: consentEvent.hash })
        .from(consentEvent)
        .where(eq(consentEvent.stayId, stayId))
        .orderBy(desc(consentEvent.id))
        .limit(1);
      // The built event has exactly the ledger's columns (buildConsentEvent); the id is the database's.
      const [row] = await tx
        .insert(consentEvent)
        .values(build(last?.hash ?? 'genesis'))
        .returning();
      return row!;
    });
  }
}

export interface CurrentConsentRow {
  stayId: string;
  camera: boolean;
  wearable: boolean;
  actorKind: 'patient' | 'proxy' | 'staff';
  effectiveAt: Date;
}

export class ConsentReadRepository {
  constructor(private readonly db: Database) {}

  /** The consent in force now for each stay (stays without any event are absent). */
  async current(stayIds: string[], now: Date): Promise<CurrentConsentRow[]> {
    if (stayIds.length === 0) return [];
    return this.db.orm
      .selectDistinctOn([consentEvent.stayId], {
        stayId: consentEvent.stayId,
        camera: consentEvent.camera,
        wearable: consentEvent.wearable,
        actorKind: consentEvent.actorKind,
        effectiveAt: consentEvent.effectiveAt,
      })
      .from(consentEvent)
      .where(and(inArray(consentEvent.stayId, stayIds), lte(consentEvent.effectiveAt, now)))
      .orderBy(asc(consentEvent.stayId), desc(consentEvent.effectiveAt), desc(consentEvent.id));
  }
}
