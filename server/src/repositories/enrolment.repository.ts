import { appUser, bed, device, enrolmentToken, ward, type Database, type Orm } from '@attune/db';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';

export interface EnrolmentTokenRow {
  id: string;
  bedId: string;
  deviceId: string | null;
  createdAt: Date;
  expiresAt: Date;
  createdBy: string | null;
}

export interface EnrolmentBed {
  id: string;
  label: string;
  wardId: string;
  wardName: string;
  retiredAt: Date | null;
}

export interface DeviceCredentialRow {
  deviceId: string;
  bedId: string | null;
  bedLabel: string | null;
  wardName: string | null;
  isActive: boolean;
  state: 'online' | 'offline' | 'never_seen';
  enrolledAt: Date;
  credentialIssuedAt: Date | null;
  decommissionedAt: Date | null;
}

/** What a used token enrols: the bed, and the device when it re-enrols one. */
export interface UsedToken {
  id: string;
  bed: EnrolmentBed;
  /** The device re-enrolled; null: a new device. */
  deviceId: string | null;
}

/**
 * A credential hash no secret matches (verifyPassword needs `scrypt$N$r$p$salt$hash`): what a
 * device holds between rotation and its re-enrolment, or after decommissioning.
 */
export const NO_CREDENTIAL = 'revoked';

const open = (now: Date) => and(isNull(enrolmentToken.usedAt), isNull(enrolmentToken.revokedAt), gt(enrolmentToken.expiresAt, now));

/** The bed with its ward's name, read in or out of a transaction. */
async function findEnrolmentBed(orm: Orm, bedId: string): Promise<EnrolmentBed | null> {
  const [row] = await orm
    .select({ id: bed.id, label: bed.label, wardId: ward.id, wardName: ward.name, retiredAt: bed.retiredAt })
    .from(bed)
    .innerJoin(ward, eq(ward.id, bed.wardId))
    .where(eq(bed.id, bedId));
  return row ?? null;
}

const tokenColumns = {
  id: enrolmentToken.id,
  bedId: enrolmentToken.bedId,
  deviceId: enrolmentToken.deviceId,
  createdAt: enrolmentToken.createdAt,
  expiresAt: enrolmentToken.expiresAt,
  createdBy: appUser.displayName,
};

/** Enrolment tokens (sha256 only) and device credentials: issue, exchange, rotate, decommission. */
export class EnrolmentRepository {
  constructor(private readonly db: Database) {}

  async findBed(bedId: string): Promise<EnrolmentBed | null> {
    return findEnrolmentBed(this.db.orm, bedId);
  }

  /** Devices on the bed that are not decommissioned. */
  async devicesOnBed(bedId: string) {
    return this.db.orm
      .select({ id: device.id, state: device.state, lastSeenAt: device.lastSeenAt, credentialIssuedAt: device.credentialIssuedAt })
      .from(device)
      .where(and(eq(device.bedId, bedId), isNull(device.decommissionedAt)))
      .orderBy(asc(device.id));
  }

  async findDevice(deviceId: string): Promise<DeviceCredentialRow | null> {
    const [row] = await this.db.orm
      .select({
        deviceId: device.id,
        bedId: device.bedId,
        bedLabel: bed.label,
        wardName: ward.name,
        isActive: device.isActive,
        state: device.state,
        enrolledAt: device.enrolledAt,
        credentialIssuedAt: device.credentialIssuedAt,
        decommissionedAt: device.decommissionedAt,
      })
      .from(device)
      .leftJoin(bed, eq(bed.id, device.bedId))
      .leftJoin(ward, eq(ward.id, bed.wardId))
      .where(eq(device.id, deviceId));
    return row ?? null;
  }

  /** A new token for a bed revokes the bed's earlier open ones: one valid token per bed at a time. */
  async createToken(t: {
    tokenHash: string;
    bedId: string;
    deviceId: string | null;
    createdByUserId: string;
    at: Date;
    expiresAt: Date;
  }): Promise<{ id: string; revokedIds: string[] }> {
    return this.db.orm.transaction(async (tx) => {
      const revoked = await tx
        .update(enrolmentToken)
        .set({ revokedAt: t.at })
        .where(and(eq(enrolmentToken.bedId, t.bedId), isNull(enrolmentToken.usedAt), isNull(enrolmentToken.revokedAt)))
        .returning({ id: enrolmentToken.id });
      const [row] = await tx
        .insert(enrolmentToken)
        .values({
          tokenHash: t.tokenHash,
          bedId: t.bedId,
          deviceId: t.deviceId,
          createdByUserId: t.createdByUserId,
          createdAt: t.at,
          expiresAt: t.expiresAt,
        })
        .returning({ id: enrolmentToken.id });
      return { id: row!.id, revokedIds: revoked.map((r) => r.id) };
    });
  }

  async findToken(id: string): Promise<EnrolmentTokenRow | null> {
    const [row] = await this.db.orm
      .select(tokenColumns)
      .from(enrolmentToken)
      .leftJoin(appUser, eq(appUser.id, enrolmentToken.createdByUserId))
      .where(eq(enrolmentToken.id, id));
    return row ?? null;
  }

  /** Open tokens (not used, not revoked, not expired) of a bed or of a device, oldest first. */
  async listOpen(of: { bedId: string } | { deviceId: string }, now: Date): Promise<EnrolmentTokenRow[]> {
    const owner = 'bedId' in of ? eq(enrolmentToken.bedId, of.bedId) : eq(enrolmentToken.deviceId, of.deviceId);
    return this.db.orm
      .select(tokenColumns)
      .from(enrolmentToken)
      .leftJoin(appUser, eq(appUser.id, enrolmentToken.createdByUserId))
      .where(and(owner, open(now)))
      .orderBy(asc(enrolmentToken.createdAt));
  }

  /** Revokes an open token; null when there is no such open token. */
  async revoke(tokenId: string, now: Date): Promise<{ bedId: string; deviceId: string | null } | null> {
    const [row] = await this.db.orm
      .update(enrolmentToken)
      .set({ revokedAt: now })
      .where(and(eq(enrolmentToken.id, tokenId), open(now)))
      .returning({ bedId: enrolmentToken.bedId, deviceId: enrolmentToken.deviceId });
    return row ?? null;
  }

  /**
   * Uses a token and writes the device's new credential in one transaction: the token is taken by
   * a conditional update (two racing enrolments cannot both win), `issue` names the device and
   * hashes its secret (and may provision it on the broker); if anything fails, nothing is kept and
   * the token stays unused. Null: no open token with that hash.
   */
  async exchange<T>(
    tokenHash: string,
    now: Date,
    issue: (
      used: UsedToken,
      isFreeId: (id: string) => Promise<boolean>,
    ) => Promise<{ deviceId: string; credentialHash: string; result: T }>,
  ): Promise<T | null> {
    return this.db.orm.transaction(async (tx) => {
      const [used] = await tx
        .update(enrolmentToken)
        .set({ usedAt: now })
        .where(and(eq(enrolmentToken.tokenHash, tokenHash), open(now)))
        .returning({ id: enrolmentToken.id, bedId: enrolmentToken.bedId, deviceId: enrolmentToken.deviceId });
      if (!used) return null;
      const b = await findEnrolmentBed(tx, used.bedId);
      if (!b || b.retiredAt) return null;
      const isFreeId = async (id: string) => (await tx.select({ id: device.id }).from(device).where(eq(device.id, id))).length === 0;
      const issued = await issue({ id: used.id, bed: b, deviceId: used.deviceId }, isFreeId);
      if (used.deviceId) {
        const updated = await tx
          .update(device)
          .set({ credentialHash: issued.credentialHash, credentialIssuedAt: now, isActive: true, bedId: b.id })
          .where(and(eq(device.id, used.deviceId), isNull(device.decommissionedAt)))
          .returning({ id: device.id });
        if (updated.length === 0) throw new Error('the device to re-enrol was decommissioned');
      } else {
        await tx.insert(device).values({
          id: issued.deviceId,
          bedId: b.id,
          credentialHash: issued.credentialHash,
          credentialIssuedAt: now,
          enrolledAt: now,
        });
      }
      return issued.result;
    });
  }

  /** The current secret stops working at once; the device stays active, waiting for re-enrolment. */
  async invalidateCredential(deviceId: string, now: Date): Promise<boolean> {
    const rows = await this.db.orm
      .update(device)
      .set({ credentialHash: NO_CREDENTIAL, credentialIssuedAt: now })
      .where(and(eq(device.id, deviceId), isNull(device.decommissionedAt)))
      .returning({ id: device.id });
    return rows.length > 0;
  }

  /** The device may never connect again; its open tokens are revoked; its history stays. */
  async decommission(deviceId: string, now: Date): Promise<boolean> {
    return this.db.orm.transaction(async (tx) => {
      const rows = await tx
        .update(device)
        .set({ isActive: false, decommissionedAt: now, credentialHash: NO_CREDENTIAL, state: sql`'offline'` })
        .where(and(eq(device.id, deviceId), isNull(device.decommissionedAt)))
        .returning({ id: device.id });
      if (rows.length === 0) return false;
      await tx
        .update(enrolmentToken)
        .set({ revokedAt: now })
        .where(and(eq(enrolmentToken.deviceId, deviceId), isNull(enrolmentToken.usedAt), isNull(enrolmentToken.revokedAt)));
      return true;
    });
  }
}
