import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { requiredReference } from './columns.ts';

export const ward = pgTable('ward', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull().unique(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const bed = pgTable('bed', {
  id: uuid().primaryKey().defaultRandom(),
  wardId: requiredReference(() => ward.id),
  /** What nurses call the bed, e.g. "Bed 3". */
  label: text().notNull(),
  /** Order on the ward board. */
  position: integer().notNull(),
});
