import { bigint, boolean, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { requiredReference } from './columns.ts';
import { stay } from './stay.ts';

/**
 * Append-only consent ledger. Each row carries sha256(prevHash + canonical JSON of the event),
 * so any edit after the fact breaks the chain. The state in force at time T is the latest
 * event of the stay with effectiveAt <= T.
 */
export const consentEvent = pgTable(
  'consent_event',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    stayId: requiredReference(() => stay.id),
    effectiveAt: timestamp({ withTimezone: true }).notNull(),
    camera: boolean().notNull(),
    wearable: boolean().notNull(),
    actorKind: text().$type<'patient' | 'proxy' | 'staff'>().notNull(),
    proxyName: text(),
    proxyRelationship: text(),
    /** Staff user who recorded it (e.g. "patient asked to stop"), if any. */
    recordedByUserId: uuid(),
    /** sha256 of the exact consent text shown, and its language. */
    textHash: text(),
    language: text(),
    prevHash: text().notNull(),
    hash: text().notNull(),
  },
  (t) => [index().on(t.stayId, t.effectiveAt)],
);
