import type { Database } from '@attune/db';

export type Role = 'nurse' | 'charge_nurse' | 'it_admin';
export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  role: Role;
}
interface UserWithHash extends UserRow {
  passwordHash: string;
  isActive: boolean;
}

export class UserRepository {
  constructor(private readonly db: Database) {}

  async findByUsername(username: string): Promise<UserWithHash | null> {
    const [row] = await this.db.query<UserWithHash>(
      `select id, username, display_name as "displayName", role, password_hash as "passwordHash", is_active as "isActive"
         from app_user where username = $1`,
      [username],
    );
    return row ?? null;
  }

  async upsert(user: { username: string; displayName: string; role: Role; passwordHash: string }): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(
      `insert into app_user (username, display_name, role, password_hash) values ($1, $2, $3, $4)
       on conflict (username) do update set display_name = excluded.display_name, role = excluded.role, password_hash = excluded.password_hash
       returning id`,
      [user.username, user.displayName, user.role, user.passwordHash],
    );
    return row!.id;
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
      `select u.id, u.username, u.display_name as "displayName", u.role
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
