import { bigint, doublePrecision, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Driver, FaceBlock, Quality, WearableBlock } from '@attune/protocol';

/**
 * One accepted score window. (deviceId, seq, windowEnd) makes ingest idempotent across
 * redeliveries: a redelivered window carries the same windowEnd as its first copy.
 *
 * In the database the table is partitioned by RANGE (window_end), one partition per UTC day
 * (`score_window_pYYYYMMDD`) and a DEFAULT partition, so retention drops whole days
 * (migration 0009, docs/storage-partitioning.md). drizzle cannot declare partitioning: the
 * migration holds it, and a primary key must contain the partition key, hence windowEnd in it.
 */
export const scoreWindow = pgTable(
  'score_window',
  {
    deviceId: text().notNull(),
    seq: bigint({ mode: 'number' }).notNull(),
    stayId: uuid().notNull(),
    windowStart: timestamp({ withTimezone: true }).notNull(),
    windowEnd: timestamp({ withTimezone: true }).notNull(),
    distress: doublePrecision().notNull(),
    confidence: doublePrecision().notNull(),
    /** Driver codes with their numbers (protocol v2); the server renders the words. */
    drivers: jsonb().$type<Driver[]>().notNull(),
    face: jsonb().$type<FaceBlock>(),
    wearable: jsonb().$type<WearableBlock>(),
    quality: jsonb().$type<Quality>().notNull(),
    models: jsonb().$type<Record<string, string>>().notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.seq, t.windowEnd] }), index().on(t.stayId, t.windowEnd)],
);
