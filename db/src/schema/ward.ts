import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { requiredReference } from './columns.ts';

export const ward = pgTable('ward', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull().unique(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  /** Set when IT retires the ward: it leaves boards and pickers, its history stays. */
  retiredAt: timestamp({ withTimezone: true }),
});

export const bed = pgTable('bed', {
  id: uuid().primaryKey().defaultRandom(),
  wardId: requiredReference(() => ward.id),
  /** What nurses call the bed, e.g. "Bed 3". */
  label: text().notNull(),
  /** Order on the ward board. */
  position: integer().notNull(),
  /** Set when IT retires the bed (never while it has an active stay): it leaves the board, its history stays. */
  retiredAt: timestamp({ withTimezone: true }),
});
