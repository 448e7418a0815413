import { sql } from 'drizzle-orm';
import { check, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { appUser } from './app-user.ts';
import { requiredReference } from './columns.ts';
import { stay } from './stay.ts';

/**
 * A stay's alert sensitivity, set by a charge nurse with a reason; it lapses at `expiresAt` (24 h
 * after it was set) and the stay is back to standard. One row per stay: the latest setting. Every
 * change is also written to the audit log, which keeps the history.
 */
export const stayAlertSensitivity = pgTable(
  'stay_alert_sensitivity',
  {
    stayId: uuid()
      .primaryKey()
      .references(() => stay.id, { onDelete: 'cascade' }),
    /** 'lower' | 'standard' | 'higher' (server/src/services/distress-rule.ts ALERT_SENSITIVITIES) */
    sensitivity: text().$type<'lower' | 'standard' | 'higher'>().notNull(),
    reason: text().notNull(),
    setByUserId: requiredReference(() => appUser.id),
    setAt: timestamp({ withTimezone: true }).notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    check('stay_alert_sensitivity_level', sql`${t.sensitivity} in ('lower', 'standard', 'higher')`),
    check('stay_alert_sensitivity_expiry', sql`${t.expiresAt} > ${t.setAt}`),
  ],
);
