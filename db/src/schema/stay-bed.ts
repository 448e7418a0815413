import { bigint, index, pgTable, timestamp } from 'drizzle-orm/pg-core';
import { requiredReference } from './columns.ts';
import { stay } from './stay.ts';
import { bed } from './ward.ts';

/**
 * Which bed a stay occupied when: one row per admission or transfer. Ingest attributes a window to
 * the stay whose assignment on the device's bed covers the whole window, so a transfer can neither
 * hand the old bed's windows to the patient nor the new bed's earlier windows to them.
 */
export const stayBed = pgTable(
  'stay_bed',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    stayId: requiredReference(() => stay.id),
    bedId: requiredReference(() => bed.id),
    fromAt: timestamp({ withTimezone: true }).notNull(),
    /** Null while the stay is in this bed; the transfer or discharge time afterwards. */
    untilAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.bedId, t.fromAt), index().on(t.stayId)],
);
