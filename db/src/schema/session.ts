import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { appUser } from './app-user.ts';
import { requiredReference } from './columns.ts';

/** Sign-in sessions. Only sha256(token) is stored, so a database leak yields no usable cookie. */
export const session = pgTable(
  'session',
  {
    tokenHash: text().primaryKey(),
    userId: requiredReference(() => appUser.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.userId)],
);
