import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Deliberately minimal: Attune needs a name a nurse recognises, nothing clinical. */
export const patient = pgTable('patient', {
  id: uuid().primaryKey().defaultRandom(),
  displayName: text().notNull(),
  /** Optional hospital identifier (MRN) for matching with other systems. */
  externalId: text(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
