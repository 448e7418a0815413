import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { SourceState } from '@attune/protocol';
import { bed } from './ward.ts';

/** A bedside edge agent. Its id is the MQTT client id, username and topic segment. */
export const device = pgTable(
  'device',
  {
    id: text().primaryKey(),
    bedId: uuid().references(() => bed.id),
    /** scrypt hash of the device's MQTT password (`scrypt$N$r$p$salt$hash`). */
    credentialHash: text().notNull(),
    isActive: boolean().notNull().default(true),
    enrolledAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    state: text().$type<'online' | 'offline' | 'never_seen'>().notNull().default('never_seen'),
    lastSeenAt: timestamp({ withTimezone: true }),
    lastScoreAt: timestamp({ withTimezone: true }),
    agentVersion: text(),
    models: jsonb().$type<Record<string, string>>().notNull().default({}),
    sources: jsonb().$type<{ camera: SourceState; wearable: SourceState }>(),
    /** The agent's clock minus the server's, ms, as the agent last measured it; null until measured. */
    clockOffsetMs: bigint({ mode: 'number' }),
    /** Version of the last retained consent message published to this device; monotonic. */
    consentVersion: integer().notNull().default(0),
  },
  (t) => [index().on(t.bedId)],
);
