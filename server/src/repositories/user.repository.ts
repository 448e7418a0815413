import type { Database } from '@attune/db';
import type { Role } from '../domain/users.ts';

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
export interface UserWithHash extends UserRow {
  passwordHash: string | null;
  isActive: boolean;
}

/** A user as the administration page lists it (never the password hash). */
export interface AdminUserRow {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  wardIds: string[];
  isActive: boolean;
  mustChangePassword: boolean;
  lastSignInAt: Date | null;
  createdAt: Date;
  /** Has a password (signs in with username and password). */
  hasPassword: boolean;
  /** Is linked to a directory identity (signs in through the hospital's single sign-on). */
  hasDirectoryIdentity: boolean;
}

/** Postgres unique_violation: the username is taken. */
export class UsernameTakenError extends Error {}

// JSON, not a PostgreSQL array: postgres.js runs without fetch_types and would answer an array as
// its text literal ('{a,b}'), while json parses to a string[] on both backends.
/** The `wardIds` column of a user row aliased `u`; every query that reads a user's wards uses it. */
export const WARD_IDS = `coalesce((select json_agg(uw.ward_id::text order by uw.ward_id) from user_ward uw where uw.user_id = u.id), '[]'::json) as "wardIds"`;

const ADMIN_SELECT = `select u.id, u.username, u.display_name as "displayName", u.role, ${WARD_IDS}, u.is_active as "isActive",
       u.must_change_password as "mustChangePassword", u.last_sign_in_at as "lastSignInAt", u.created_at as "createdAt",
       (u.password_hash is not null) as "hasPassword", (u.oidc_subject is not null) as "hasDirectoryIdentity"
  from app_user u`;

export class UserRepository {
  constructor(private readonly db: Database) {}

  /**
   * Sign-in lookup. Usernames are stored lower-case by user administration; the comparison ignores
   * case so a user who types capitals (or one created before that rule) is still found.
   */
  async findByUsername(username: string): Promise<UserWithHash | null> {
    const [row] = await this.db.query<UserWithHash>(
      `select u.id, u.username, u.display_name as "displayName", u.role, u.password_hash as "passwordHash", u.is_active as "isActive",
              u.must_change_password as "mustChangePassword", ${WARD_IDS}
         from app_user u where lower(u.username) = lower($1)
        order by (u.username = $1) desc limit 1`,
      [username],
    );
    return row ?? null;
  }

  async findById(userId: string): Promise<UserWithHash | null> {
    const [row] = await this.db.query<UserWithHash>(
      `select u.id, u.username, u.display_name as "displayName", u.role, u.password_hash as "passwordHash", u.is_active as "isActive",
              u.must_change_password as "mustChangePassword", ${WARD_IDS}
         from app_user u where u.id = $1`,
      [userId],
    );
    return row ?? null;
  }

  /** Every user, for the administration page, by username. */
  async listForAdmin(): Promise<AdminUserRow[]> {
    return this.db.query<AdminUserRow>(`${ADMIN_SELECT} order by u.username`);
  }

  async findForAdmin(userId: string): Promise<AdminUserRow | null> {
    const [row] = await this.db.query<AdminUserRow>(`${ADMIN_SELECT} where u.id = $1`, [userId]);
    return row ?? null;
  }

  /** Active it_admin accounts (the server warns at start when there is none). */
  async countActiveAdmins(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(`select count(*)::int as n from app_user where role = 'it_admin' and is_active`);
    return row!.n;
  }

  /**
   * User administration: a new user with a password that must be changed at the first sign-in, and
   * their wards, in one transaction. Throws UsernameTakenError when the username exists.
   */
  async create(user: { username: string; displayName: string; role: Role; passwordHash: string; wardIds: string[] }): Promise<string> {
    return this.db.transaction(async (query) => {
      const [row] = await query<{ id: string }>(
        `insert into app_user (username, display_name, role, password_hash, must_change_password) values ($1, $2, $3, $4, true)
         on conflict (username) do nothing returning id`,
        [user.username, user.displayName, user.role, user.passwordHash],
      );
      if (!row) throw new UsernameTakenError(`The username ${user.username} is taken`);
      for (const wardId of user.wardIds) await query(`insert into user_ward (user_id, ward_id) values ($1, $2)`, [row.id, wardId]);
      return row.id;
    });
  }

  /** Changes name and role, and replaces the ward set when `wardIds` is given, in one transaction. */
  async update(userId: string, change: { displayName?: string; role?: Role; wardIds?: string[] }): Promise<void> {
    await this.db.transaction(async (query) => {
      if (change.displayName !== undefined) {
        await query(`update app_user set display_name = $2 where id = $1`, [userId, change.displayName]);
      }
      if (change.role !== undefined) await query(`update app_user set role = $2 where id = $1`, [userId, change.role]);
      if (change.wardIds !== undefined) {
        await query(`delete from user_ward where user_id = $1`, [userId]);
        for (const wardId of change.wardIds) await query(`insert into user_ward (user_id, ward_id) values ($1, $2)`, [userId, wardId]);
      }
    });
  }

  /** Sets a new password hash; `mustChange` true after an administrator's reset, false after the user's own change. */
  async setPassword(userId: string, passwordHash: string, mustChange: boolean): Promise<void> {
    await this.db.query(`update app_user set password_hash = $2, must_change_password = $3 where id = $1`, [
      userId,
      passwordHash,
      mustChange,
    ]);
  }

  async setActive(userId: string, isActive: boolean): Promise<void> {
    await this.db.query(`update app_user set is_active = $2 where id = $1`, [userId, isActive]);
  }

  /** Ends the user's sessions (all of them, or all but the one whose token hash is kept); returns how many. */
  async deleteSessionsOf(userId: string, keepTokenHash?: string): Promise<number> {
    const rows = await this.db.query(`delete from session where user_id = $1 and token_hash <> $2 returning token_hash`, [
      userId,
      keepTokenHash ?? '',
    ]);
    return rows.length;
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
