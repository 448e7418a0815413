import type { Database } from '@attune/db';

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
    await this.db.transaction(async (q) => {
      await q(`update tablet_pairing set used_at = $2 where bed_id = $1 and used_at is null`, [p.bedId, p.at.toISOString()]);
      await q(
        `insert into tablet_pairing (code_hash, bed_id, stay_id, created_by_user_id, created_at, expires_at) values ($1, $2, $3, $4, $5, $6)`,
        [p.codeHash, p.bedId, p.stayId, p.createdByUserId, p.at.toISOString(), p.expiresAt.toISOString()],
      );
    });
  }

  async isCodeLive(codeHash: string, now: Date): Promise<boolean> {
    const rows = await this.db.query(`select 1 from tablet_pairing where code_hash = $1 and used_at is null and expires_at > $2`, [
      codeHash,
      now.toISOString(),
    ]);
    return rows.length > 0;
  }

  /**
   * Marks a live code of a bed on `wardId` used and returns it; one statement, so two tablets racing
   * for a code cannot both win. A code shown on another ward does not match.
   */
  async usePairing(codeHash: string, wardId: string, now: Date): Promise<UsedPairing | null> {
    const [row] = await this.db.query<UsedPairing>(
      `update tablet_pairing set used_at = $2
        where id = (select p.id from tablet_pairing p join bed b on b.id = p.bed_id
                     where p.code_hash = $1 and b.ward_id = $3 and p.used_at is null and p.expires_at > $2
                     order by p.created_at desc limit 1)
          and used_at is null
        returning id, bed_id as "bedId", stay_id as "stayId"`,
      [codeHash, now.toISOString(), wardId],
    );
    return row ?? null;
  }

  /** Every ward by name, for the tablet's "which ward is this tablet on?" (names only, no patient data). */
  async wards(): Promise<{ id: string; name: string }[]> {
    return this.db.query<{ id: string; name: string }>(`select id, name from ward order by name`);
  }

  /**
   * The ward's id as the database spells it, or null for no such ward. Anything that is not a UUID
   * never reaches the database; spellings of one UUID (upper case) all give the one canonical id.
   */
  async canonicalWardId(wardId: string): Promise<string | null> {
    if (!UUID.test(wardId)) return null;
    const [row] = await this.db.query<{ id: string }>(`select id from ward where id = $1`, [wardId]);
    return row?.id ?? null;
  }

  async createSession(tokenHash: string, stayId: string, pairingId: string): Promise<void> {
    await this.db.query(`insert into tablet_session (token_hash, stay_id, pairing_id) values ($1, $2, $3)`, [tokenHash, stayId, pairingId]);
  }

  /** The stay of a live tablet session (its stay not discharged). */
  async findSession(tokenHash: string): Promise<{ stayId: string } | null> {
    const [row] = await this.db.query<{ stayId: string }>(
      `select t.stay_id as "stayId" from tablet_session t join stay s on s.id = t.stay_id where t.token_hash = $1 and s.discharged_at is null`,
      [tokenHash],
    );
    return row ?? null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.query(`delete from tablet_session where token_hash = $1`, [tokenHash]);
  }

  /** Keeps every consent text version ever served, by hash, so the ledger's textHash can always be resolved to words. */
  async saveConsentText(t: { hash: string; language: string; version: string; body: Record<string, unknown> }): Promise<void> {
    await this.db.query(
      `insert into consent_text (hash, language, version, body) values ($1, $2, $3, $4::jsonb) on conflict (hash) do nothing`,
      [t.hash, t.language, t.version, JSON.stringify(t.body)],
    );
  }
}
