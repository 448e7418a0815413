/**
 * Users who sign in through the hospital's directory (OpenID Connect): found by the directory's
 * identity (issuer + `sub`), never by username, so a directory account cannot take over a local
 * account that happens to share its name.
 */
import { appUser, ward, type Database } from '@attune/db';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Role } from '../domain/users.ts';
import { insertUserWards, replaceUserWards, userColumns } from './user.repository.ts';

export interface DirectoryUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  isActive: boolean;
  wardIds: string[];
}

/** How many numbered variants of a taken username are tried (`nina`, `nina-2`, ... `nina-50`). */
const USERNAME_ATTEMPTS = 50;

export class DirectoryUserRepository {
  constructor(private readonly db: Database) {}

  async findByIdentity(issuer: string, subject: string): Promise<DirectoryUser | null> {
    const [row] = await this.db.orm
      .select({ ...userColumns, isActive: appUser.isActive })
      .from(appUser)
      .where(and(eq(appUser.oidcIssuer, issuer), eq(appUser.oidcSubject, subject)));
    return row ?? null;
  }

  /** Ward ids by exact ward name; names without a ward in use (none, or retired) are absent from the map. */
  async wardIdsByName(names: string[]): Promise<Map<string, string>> {
    if (names.length === 0) return new Map();
    const rows = await this.db.orm
      .select({ id: ward.id, name: ward.name })
      .from(ward)
      .where(and(inArray(ward.name, names), isNull(ward.retiredAt)));
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  /**
   * The first sign-in: a user without a password (password_hash null: only the directory signs
   * them in), with role and wards, in one transaction. A taken username gets a number
   * (`nina-2`); a concurrent first sign-in of the same identity returns the user it created.
   */
  async createFromDirectory(user: {
    issuer: string;
    subject: string;
    username: string;
    displayName: string;
    role: Role;
    wardIds: string[];
    signedInAt: Date;
  }): Promise<{ user: DirectoryUser; created: boolean }> {
    for (let attempt = 1; attempt <= USERNAME_ATTEMPTS; attempt++) {
      const username = attempt === 1 ? user.username : `${user.username}-${attempt}`;
      const id = await this.db.orm.transaction(async (tx) => {
        // No conflict target: either unique key (username, or the directory identity) skips the insert.
        const [row] = await tx
          .insert(appUser)
          .values({
            username,
            displayName: user.displayName,
            role: user.role,
            passwordHash: null,
            mustChangePassword: false,
            oidcIssuer: user.issuer,
            oidcSubject: user.subject,
            lastSignInAt: user.signedInAt,
          })
          .onConflictDoNothing()
          .returning({ id: appUser.id });
        if (!row) return null;
        await insertUserWards(tx, row.id, user.wardIds);
        return row.id;
      });
      if (id) return { user: (await this.findByIdentity(user.issuer, user.subject))!, created: true };
      const existing = await this.findByIdentity(user.issuer, user.subject);
      if (existing) return { user: existing, created: false };
    }
    throw new Error(`No free username near "${user.username}" after ${USERNAME_ATTEMPTS} attempts`);
  }

  /** A later sign-in: the directory's name, role and wards replace Attune's, and the sign-in time is kept. */
  async updateFromDirectory(
    userId: string,
    change: { displayName: string; role: Role; wardIds: string[]; signedInAt: Date },
  ): Promise<void> {
    await this.db.orm.transaction(async (tx) => {
      await tx
        .update(appUser)
        .set({ displayName: change.displayName, role: change.role, lastSignInAt: change.signedInAt })
        .where(eq(appUser.id, userId));
      await replaceUserWards(tx, userId, change.wardIds);
    });
  }
}
