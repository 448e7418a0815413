import { bigint, index, integer, jsonb, pgSequence, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Several server instances on one PostgreSQL (docs/scale-out.md). Each instance writes a
 * heartbeat here; an instance whose heartbeat is older than LEASE_TTL_S is dead to the others.
 */
export const serverInstance = pgTable('server_instance', {
  /** ATTUNE_INSTANCE_ID. */
  id: text().primaryKey(),
  host: text().notNull(),
  pid: integer().notNull(),
  startedAt: timestamp({ withTimezone: true }).notNull(),
  heartbeatAt: timestamp({ withTimezone: true }).notNull(),
});

/**
 * Who does what, for how long: `ward:<id>` (alert evaluation of a ward's stays), `job:<name>`
 * (a job only one instance may run) and `mqtt-session:<instance>` (draining a dead instance's
 * broker session). Expiry is on the database's clock, so instances' clocks do not matter.
 */
export const lease = pgTable(
  'lease',
  {
    name: text().primaryKey(),
    holder: text().notNull(),
    acquiredAt: timestamp({ withTimezone: true }).notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.holder)],
);

/** Ids of live (SSE) events across instances: every instance's stream numbers them the same. */
export const liveEventIdSeq = pgSequence('live_event_id_seq');

/** Live events too large for a NOTIFY payload (8000 bytes): the notification carries only the id. */
export const liveEventPayload = pgTable('live_event_payload', {
  id: bigint({ mode: 'number' }).primaryKey(),
  data: jsonb().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
