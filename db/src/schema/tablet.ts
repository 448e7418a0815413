import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { appUser } from './app-user.ts';
import { requiredReference } from './columns.ts';
import { stay } from './stay.ts';
import { bed } from './ward.ts';

/** A short-lived, single-use code a nurse shows to pair a bedside tablet. Only sha256(code) is stored. */
export const tabletPairing = pgTable(
  'tablet_pairing',
  {
    id: uuid().primaryKey().defaultRandom(),
    codeHash: text().notNull(),
    bedId: requiredReference(() => bed.id),
    stayId: requiredReference(() => stay.id),
    createdByUserId: uuid().references(() => appUser.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    /** Set when the code was used, or revoked by a newer code for the same bed. */
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.codeHash), index().on(t.bedId)],
);

/**
 * A bedside tablet's session: scoped to one stay (it follows the patient on transfer and ends at
 * discharge). Only sha256(token) is stored.
 */
export const tabletSession = pgTable(
  'tablet_session',
  {
    tokenHash: text().primaryKey(),
    stayId: requiredReference(() => stay.id),
    pairingId: uuid().references(() => tabletPairing.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.stayId)],
);

/**
 * Every consent text version ever shown, by its sha256: the ledger records only the hash, this
 * keeps the exact words it stands for.
 */
export const consentText = pgTable('consent_text', {
  hash: text().primaryKey(),
  language: text().notNull(),
  version: text().notNull(),
  body: jsonb().$type<Record<string, unknown>>().notNull(),
  firstSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
