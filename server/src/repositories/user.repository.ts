import { appUser, session, userWard, type Database, type OrmTransaction } from '@attune/db';
import { and, desc, eq, gt, isNotNull, lte, ne, sql } from 'drizzle-orm';
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
export interface AdminUserRow extends UserRow {
  isActive: boolean;
  lastSignInAt: Date | null;
  createdAt: Date;
  /** Has a password (signs in with username and password). */
  hasPassword: boolean;
  /** Is linked to a directory identity (signs in through the hospital's single sign-on). */
  hasDirectoryIdentity: boolean;
}

/** Postgres unique_violation: the username is taken. */
export class UsernameTakenError extends Error {}

/**
 * The ward ids of the selected app_user (user_ward), in id order; `[]` without any. A correlated
 * aggregate, which the query builder cannot express as a column. JSON, not a PostgreSQL array:
 * postgres.js runs without fetch_types and would answer an array as its text literal ('{a,b}'),
 * while json parses to a string[] on both backends.
 */
export const userWardIds = sql<string[]>`coalesce((select json_agg(${userWard.wardId}::text order by ${userWard.wardId})
  from ${userWard} where ${userWard.userId} = ${appUser.id}), '[]'::json)`;

/** The columns every read of a user shares. */
export const userColumns = {
  id: appUser.id,
  username: appUser.username,
  displayName: appUser.displayName,
  role: appUser.role,
  wardIds: userWardIds,
};

const withHashColumns = {
  ...userColumns,
  passwordHash: appUser.passwordHash,
  isActive: appUser.isActive,
  mustChangePassword: appUser.mustChangePassword,
};

const adminColumns = {
  ...userColumns,
  isActive: appUser.isActive,
  mustChangePassword: appUser.mustChangePassword,
  lastSignInAt: appUser.lastSignInAt,
  createdAt: appUser.createdAt,
  hasPassword: isNotNull(appUser.passwordHash).mapWith(Boolean),
  hasDirectoryIdentity: isNotNull(appUser.oidcSubject).mapWith(Boolean),
};

/** Assigns wards to a user, one row each (inside the caller's transaction). */
export async function insertUserWards(tx: OrmTransaction, userId: string, wardIds: string[]): Promise<void> {
  if (wardIds.length === 0) return;
  await tx.insert(userWard).values(wardIds.map((wardId) => ({ userId, wardId })));
}

/** Replaces a user's ward set (inside the caller's transaction). */
export async function replaceUserWards(tx: OrmTransaction, userId: string, wardIds: string[]): Promise<void> {
  await tx.delete(userWard).where(eq(userWard.userId, userId));
  await insertUserWards(tx, userId, wardIds);
}

export class UserRepository {
  constructor(private readonly db: Database) {}

  /**
   * Sign-in lookup. Usernames are stored lower-case by user administration; the comparison ignores
   * case so a user who types capitals (or one created before that rule) is still found.
   */
  async findByUsername(username: string): Promise<UserWithHash | null> {
    const [row] = await this.db.orm
      .select(withHashColumns)
      .from(appUser)
      .where(sql`lower(${appUser.username}) = lower(${username})`)
      .orderBy(desc(eq(appUser.username, username)))
      .limit(1);
    return row ?? null;
  }

  async findById(userId: string): Promise<UserWithHash | null> {
    const [row] = await this.db.orm.select(withHashColumns).from(appUser).where(eq(appUser.id, userId));
    return row ?? null;
  }

  /** Every user, for the administration page, by username. */
  async listForAdmin(): Promise<AdminUserRow[]> {
    return this.db.orm.select(adminColumns).from(appUser).orderBy(appUser.username);
  }

  async findForAdmin(userId: string): Promise<AdminUserRow | null> {
    const [row] = await this.db.orm.select(adminColumns).from(appUser).where(eq(appUser.id, userId));
    return row ?? null;
  }

  /** Active it_admin accounts (the server warns at start when there is none). */
  async countActiveAdmins(): Promise<number> {
    return this.db.orm.$count(appUser, and(eq(appUser.role, 'it_admin'), eq(appUser.isActive, true)));
  }

  /**
   * User administration: a new user with a password that must be changed at the first sign-in, and
   * their wards, in one transaction. Throws UsernameTakenError when the username exists.
   */
  async create(user: { username: string; displayName: string; role: Role; passwordHash: string; wardIds: string[] }): Promise<string> {
    return this.db.orm.transaction(async (tx) => {
      const [row] = await tx
        .insert(appUser)
        .values({
          username: user.username,
          displayName: user.displayName,
          role: user.role,
          passwordHash: user.passwordHash,
          mustChangePassword: true,
        })
        .onConflictDoNothing({ target: appUser.username })
        .returning({ id: appUser.id });
      if (!row) throw new UsernameTakenError(`The username ${user.username} is taken`);
      await insertUserWards(tx, row.id, user.wardIds);
      return row.id;
    });
  }

  /** Changes name and role, and replaces the ward set when `wardIds` is given, in one transaction. */
  async update(userId: string, change: { displayName?: string; role?: Role; wardIds?: string[] }): Promise<void> {
    await this.db.orm.transaction(async (tx) => {
      if (change.displayName !== undefined) {
        await tx.update(appUser).set({ displayName: change.displayName }).where(eq(appUser.id, userId));
      }
      if (change.role !== undefined) await tx.update(appUser).set({ role: change.role }).where(eq(appUser.id, userId));
      if (change.wardIds !== undefined) await replaceUserWards(tx, userId, change.wardIds);
    });
  }

  /** Sets a new password hash; `mustChange` true after an administrator's reset, false after the user's own change. */
  async setPassword(userId: string, passwordHash: string, mustChange: boolean): Promise<void> {
    await this.db.orm.update(appUser).set({ passwordHash, mustChangePassword: mustChange }).where(eq(appUser.id, userId));
  }

  async setActive(userId: string, isActive: boolean): Promise<void> {
    await this.db.orm.update(appUser).set({ isActive }).where(eq(appUser.id, userId));
  }

  /** Ends the user's sessions (all of them, or all but the one whose token hash is kept); returns how many. */
  async deleteSessionsOf(userId: string, keepTokenHash?: string): Promise<number> {
    const rows = await this.db.orm
      .delete(session)
      .where(and(eq(session.userId, userId), ne(session.tokenHash, keepTokenHash ?? '')))
      .returning({ tokenHash: session.tokenHash });
    return rows.length;
  }

  /** Demo and test seeding: creates the user or overwrites name, role and password. */
  async upsert(user: { username: string; displayName: string; role: Role; passwordHash: string }): Promise<string> {
    const [row] = await this.db.orm
      .insert(appUser)
      .values(user)
      .onConflictDoUpdate({
        target: appUser.username,
        set: { displayName: user.displayName, role: user.role, passwordHash: user.passwordHash },
      })
      .returning({ id: appUser.id });
    return row!.id;
  }

  /** Adds wards to a user's assignment (existing assignments stay). */
  async addWards(userId: string, wardIds: string[]): Promise<void> {
    for (const wardId of wardIds) {
      await this.db.orm.insert(userWard).values({ userId, wardId }).onConflictDoNothing();
    }
  }

  async recordSignIn(userId: string, at: Date): Promise<void> {
    await this.db.orm.update(appUser).set({ lastSignInAt: at }).where(eq(appUser.id, userId));
  }

  async createSession(tokenHash: string, userId: string, expiresAt: Date): Promise<void> {
    await this.db.orm.insert(session).values({ tokenHash, userId, expiresAt });
  }

  async findSessionUser(tokenHash: string, now: Date): Promise<UserRow | null> {
    const [row] = await this.db.orm
      .select({ ...userColumns, mustChangePassword: appUser.mustChangePassword })
      .from(session)
      .innerJoin(appUser, eq(appUser.id, session.userId))
      .where(and(eq(session.tokenHash, tokenHash), gt(session.expiresAt, now), eq(appUser.isActive, true)));
    return row ?? null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.orm.delete(session).where(eq(session.tokenHash, tokenHash));
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    const rows = await this.db.orm.delete(session).where(lte(session.expiresAt, now)).returning({ tokenHash: session.tokenHash });
    return rows.length;
  }
}
