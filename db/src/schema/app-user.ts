import { boolean, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const appUser = pgTable('app_user', {
  id: uuid().primaryKey().defaultRandom(),
  username: text().notNull().unique(),
  displayName: text().notNull(),
  /** 'nurse' | 'charge_nurse' | 'it_admin' */
  role: text().notNull(),
  /** scrypt hash (`scrypt$N$r$p$salt$hash`). */
  passwordHash: text().notNull(),
  isActive: boolean().notNull().default(true),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
