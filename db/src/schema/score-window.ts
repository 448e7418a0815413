import { bigint, doublePrecision, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Driver, FaceBlock, Quality, WearableBlock } from '@attune/protocol';

/** One accepted score window. (deviceId, seq) makes ingest idempotent across redeliveries. */
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
  (t) => [primaryKey({ columns: [t.deviceId, t.seq] }), index().on(t.stayId, t.windowEnd)],
);
