import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { requiredReference } from './columns.ts';
import { ward } from './ward.ts';

export const appUser = pgTable(
  'app_user',
  {
    id: uuid().primaryKey().defaultRandom(),
    username: text().notNull().unique(),
    displayName: text().notNull(),
    role: text().$type<'nurse' | 'charge_nurse' | 'it_admin'>().notNull(),
    /** scrypt hash (`scrypt$N$r$p$salt$hash`); null for a user who signs in only through the hospital's directory (OIDC). */
    passwordHash: text(),
    isActive: boolean().notNull().default(true),
    /** Set when an administrator creates the user or resets the password: the next sign-in must choose a new one. */
    mustChangePassword: boolean().notNull().default(false),
    /** The directory's identity for single sign-on: issuer and `sub` claim. */
    oidcIssuer: text(),
    oidcSubject: text(),
    lastSignInAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('app_user_role', sql`${t.role} in ('nurse', 'charge_nurse', 'it_admin')`),
    uniqueIndex('app_user_oidc_identity').on(t.oidcIssuer, t.oidcSubject),
  ],
);

/**
 * Which wards a user works on. Nurses and charge nurses see and act on their wards only; an
 * it_admin's fleet view is hospital-wide and carries no patient data, so it needs no rows here.
 */
export const userWard = pgTable(
  'user_ward',
  {
    userId: requiredReference(() => appUser.id, { onDelete: 'cascade' }),
    wardId: requiredReference(() => ward.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.wardId] }), index().on(t.wardId)],
);
