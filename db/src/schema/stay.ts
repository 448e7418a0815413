import { sql } from 'drizzle-orm';
import { index, pgTable, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { requiredReference } from './columns.ts';
import { patient } from './patient.ts';
import { bed } from './ward.ts';

/** One admission of a patient to a bed. Consent belongs to the stay, never to the bed. */
export const stay = pgTable(
  'stay',
  {
    id: uuid().primaryKey().defaultRandom(),
    patientId: requiredReference(() => patient.id),
    bedId: requiredReference(() => bed.id),
    admittedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    dischargedAt: timestamp({ withTimezone: true }),
    /** Set when the patient asked to delete what was recorded: windows measured up to then are refused, even when replayed later. */
    dataErasedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    // At most one active stay per bed.
    uniqueIndex('stay_one_active_per_bed')
      .on(t.bedId)
      .where(sql`${t.dischargedAt} is null`),
    index().on(t.patientId),
  ],
);
