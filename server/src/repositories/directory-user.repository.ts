/**
 * Users who sign in through the hospital's directory (OpenID Connect): found by the directory's
 * identity (issuer + `sub`), never by username, so a directory account cannot take over a local
 * account that happens to share its name.
 */
import type { Database } from '@attune/db';
import type { Role } from '../domain/users.ts';
import { WARD_IDS } from './user.repository.ts';

export interface DirectoryUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  isActive: boolean;
  wardIds: string[];
}

const SELECT = `select u.id, u.username, u.display_name as "displayName", u.role, u.is_active as "isActive", ${WARD_IDS}
  from app_user u`;

/** How many numbered variants of a taken username are tried (`nina`, `nina-2`, ... `nina-50`). */
const USERNAME_ATTEMPTS = 50;

export class DirectoryUserRepository {
  constructor(private readonly db: Database) {}

  async findByIdentity(issuer: string, subject: string): Promise<DirectoryUser | null> {
    const [row] = await this.db.query<DirectoryUser>(`${SELECT} where u.oidc_issuer = $1 and u.oidc_subject = $2`, [issuer, subject]);
    return row ?? null;
  }

  /** Ward ids by exact ward name; names without a ward are absent from the map. */
  async wardIdsByName(names: string[]): Promise<Map<string, string>> {
    if (names.length === 0) return new Map();
    const rows = await this.db.query<{ id: string; name: string }>(
      `select id::text as id, name from ward where name in (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
      names,
    );
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
      const id = await this.db.transaction(async (query) => {
        // No conflict target: either unique key (username, or the directory identity) skips the insert.
        const [row] = await query<{ id: string }>(
          `insert into app_user (username, display_name, role, password_hash, must_change_password, oidc_issuer, oidc_subject, last_sign_in_at)
           values ($1, $2, $3, null, false, $4, $5, $6) on conflict do nothing returning id`,
          [username, user.displayName, user.role, user.issuer, user.subject, user.signedInAt.toISOString()],
        );
        if (!row) return null;
        for (const wardId of user.wardIds) await query(`insert into user_ward (user_id, ward_id) values ($1, $2)`, [row.id, wardId]);
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
    await this.db.transaction(async (query) => {
      await query(`update app_user set display_name = $2, role = $3, last_sign_in_at = $4 where id = $1`, [
        userId,
        change.displayName,
        change.role,
        change.signedInAt.toISOString(),
      ]);
      await query(`delete from user_ward where user_id = $1`, [userId]);
      for (const wardId of change.wardIds) await query(`insert into user_ward (user_id, ward_id) values ($1, $2)`, [userId, wardId]);
    });
  }
}
