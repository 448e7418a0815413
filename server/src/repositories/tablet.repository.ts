import { bed, consentText, stay, tabletPairing, tabletSession, ward, type Database } from '@attune/db';
import { and, asc, desc, eq, gt, isNull } from 'drizzle-orm';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UsedPairing {
  id: string;
  bedId: string;
  stayId: string;
}

/** Pairing codes, tablet sessions and the consent texts they showed. Codes and tokens are stored as sha256 only. */
export class TabletRepository {
  constructor(private readonly db: Database) {}

  /** A new code for a bed revokes the bed's earlier unused ones: one valid QR per bed at a time. */
  async createPairing(p: { codeHash: string; bedId: string; stayId: string; createdByUserId: string; at: Date; expiresAt: Date }) {
    await this.db.orm.transaction(async (tx) => {
      await tx
        .update(tabletPairing)
        .set({ usedAt: p.at })
        .where(and(eq(tabletPairing.bedId, p.bedId), isNull(tabletPairing.usedAt)));
      await tx.insert(tabletPairing).values({
        codeHash: p.codeHash,
        bedId: p.bedId,
        stayId: p.stayId,
        createdByUserId: p.createdByUserId,
        createdAt: p.at,
        expiresAt: p.expiresAt,
      });
    });
  }

  async isCodeLive(codeHash: string, now: Date): Promise<boolean> {
    const rows = await this.db.orm
      .select({ id: tabletPairing.id })
      .from(tabletPairing)
      .where(and(eq(tabletPairing.codeHash, codeHash), isNull(tabletPairing.usedAt), gt(tabletPairing.expiresAt, now)))
      .limit(1);
    return rows.length > 0;
  }

  /**
   * Marks a live code of a bed on `wardId` used and returns it; one statement, so two tablets racing
   * for a code cannot both win. A code shown on another ward does not match.
   */
  async usePairing(codeHash: string, wardId: string, now: Date): Promise<UsedPairing | null> {
    const newest = this.db.orm
      .select({ id: tabletPairing.id })
      .from(tabletPairing)
      .innerJoin(bed, eq(bed.id, tabletPairing.bedId))
      .where(
        and(eq(tabletPairing.codeHash, codeHash), eq(bed.wardId, wardId), isNull(tabletPairing.usedAt), gt(tabletPairing.expiresAt, now)),
      )
      .orderBy(desc(tabletPairing.createdAt))
      .limit(1);
    const [row] = await this.db.orm
      .update(tabletPairing)
      .set({ usedAt: now })
      .where(and(eq(tabletPairing.id, newest), isNull(tabletPairing.usedAt)))
      .returning({ id: tabletPairing.id, bedId: tabletPairing.bedId, stayId: tabletPairing.stayId });
    return row ?? null;
  }

  /** Every ward in use by name, for the tablet's "which ward is this tablet on?" (names only, no patient data). */
  async wards(): Promise<{ id: string; name: string }[]> {
    return this.db.orm.select({ id: ward.id, name: ward.name }).from(ward).where(isNull(ward.retiredAt)).orderBy(asc(ward.name));
  }

  /**
   * The ward's id as the database spells it, or null for no such ward in use. Anything that is not a UUID
   * never reaches the database; spellings of one UUID (upper case) all give the one canonical id.
   */
  async canonicalWardId(wardId: string): Promise<string | null> {
    if (!UUID.test(wardId)) return null;
    const [row] = await this.db.orm
      .select({ id: ward.id })
      .from(ward)
      .where(and(eq(ward.id, wardId), isNull(ward.retiredAt)));
    return row?.id ?? null;
  }

  async createSession(tokenHash: string, stayId: string, pairingId: string): Promise<void> {
    await this.db.orm.insert(tabletSession).values({ tokenHash, stayId, pairingId });
  }

  /** The stay of a live tablet session (its stay not discharged). */
  async findSession(tokenHash: string): Promise<{ stayId: string } | null> {
    const [row] = await this.db.orm
      .select({ stayId: tabletSession.stayId })
      .from(tabletSession)
      .innerJoin(stay, eq(stay.id, tabletSession.stayId))
      .where(and(eq(tabletSession.tokenHash, tokenHash), isNull(stay.dischargedAt)));
    return row ?? null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.orm.delete(tabletSession).where(eq(tabletSession.tokenHash, tokenHash));
  }

  /** Keeps every consent text version ever served, by hash, so the ledger's textHash can always be resolved to words. */
  async saveConsentText(t: { hash: string; language: string; version: string; body: Record<string, unknown> }): Promise<void> {
    await this.db.orm
      .insert(consentText)
      .values({ hash: t.hash, language: t.language, version: t.version, body: t.body })
      .onConflictDoNothing({ target: consentText.hash });
  }
}
