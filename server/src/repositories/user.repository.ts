import type { Database } from '@attune/db';

export const ROLES = ['nurse', 'charge_nurse', 'it_admin'] as const;
export type Role = (typeof ROLES)[number];
/** The clinical roles: they see patients, and only on their own wards. */
export const CLINICAL_ROLES = ['nurse', 'charge_nurse'] as const satisfies readonly Role[];

/** The signed-in user as every route sees it. */
export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  /** The wards this user works on (user_ward); empty for it_admin, whose fleet view is hospital-wide. */
  wardIds: string[];
  /** Until the user picks a new password, the session opens only the password change. */
  mustChangePassword: boolean;
}
interface UserWithHash extends Omit<UserRow, 'wardIds'> {
  passwordHash: string | null;
  isActive: boolean;
}

const WARD_IDS = `coalesce((select array_agg(uw.ward_id::text order by uw.ward_id) from user_ward uw where uw.user_id = u.id), '{}') as "wardIds"`;

export class UserRepository {
  constructor(private readonly db: Database) {}

  async findByUsername(username: string): Promise<UserWithHash | null> {
    const [row] = await this.db.query<UserWithHash>(
      `select id, username, display_name as "displayName", role, password_hash as "passwordHash", is_active as "isActive",
              must_change_password as "mustChangePassword"
         from app_user where username = $1`,
      [username],
    );
    return row ?? null;
  }

  /** Demo and test seeding: creates the user or overwrites name, role and password. */
  async upsert(user: { username: string; displayName: string; role: Role; passwordHash: string }): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(
      `insert into app_user (username, display_name, role, password_hash) values ($1, $2, $3, $4)
       on conflict (username) do update set display_name = excluded.display_name, role = excluded.role, password_hash = excluded.password_hash
       returning id`,
      [user.username, user.displayName, user.role, user.passwordHash],
    );
    return row!.id;
  }

  /** Adds wards to a user's assignment (existing assignments stay). */
  async addWards(userId: string, wardIds: string[]): Promise<void> {
    for (const wardId of wardIds) {
      await this.db.query(`insert into user_ward (user_id, ward_id) values ($1, $2) on conflict do nothing`, [userId, wardId]);
    }
  }

  async recordSignIn(userId: string, at: Date): Promise<void> {
    await this.db.query(`update app_user set last_sign_in_at = $2 where id = $1`, [userId, at.toISOString()]);
  }

  async createSession(tokenHash: string, userId: string, expiresAt: Date): Promise<void> {
    await this.db.query(`insert into session (token_hash, user_id, expires_at) values ($1, $2, $3)`, [
      tokenHash,
      userId,
      expiresAt.toISOString(),
    ]);
  }

  async findSessionUser(tokenHash: string, now: Date): Promise<UserRow | null> {
    const [row] = await this.db.query<UserRow>(
      `select u.id, u.username, u.display_name as "displayName", u.role, u.must_change_password as "mustChangePassword", ${WARD_IDS}
         from session s join app_user u on u.id = s.user_id
        where s.token_hash = $1 and s.expires_at > $2 and u.is_active`,
      [tokenHash, now.toISOString()],
    );
    return row ?? null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.query(`delete from session where token_hash = $1`, [tokenHash]);
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    const rows = await this.db.query(`delete from session where expires_at <= $1 returning token_hash`, [now.toISOString()]);
    return rows.length;
  }
}
