import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { appUser } from './app-user.ts';
import { requiredReference } from './columns.ts';
import { stay } from './stay.ts';
import { bed, ward } from './ward.ts';

export const alert = pgTable(
  'alert',
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text()
      .$type<'sustained_distress' | 'possible_pain' | 'device_offline' | 'consent_violation' | 'monitoring_interrupted' | 'signal_lost'>()
      .notNull(),
    category: text().$type<'clinical' | 'technical'>().notNull(),
    /** IEC 60601-1-8 */
    priority: text().$type<'high' | 'medium' | 'low'>().notNull(),
    state: text().$type<'firing' | 'acknowledged' | 'resolved'>().notNull().default('firing'),
    /** False once the condition cleared with hysteresis; the alert stays until a person resolves it. */
    conditionActive: boolean().notNull().default(true),
    wardId: requiredReference(() => ward.id),
    bedId: uuid().references(() => bed.id),
    stayId: uuid().references(() => stay.id),
    deviceId: text(),
    openedAt: timestamp({ withTimezone: true }).notNull(),
    /** When the current unacknowledged stretch began: opened, or fired again after an acknowledgement. Escalation counts from here. */
    firingSince: timestamp({ withTimezone: true }).notNull(),
    /** 0, then one level per ALERT_ESCALATE_AFTER_S unacknowledged since firingSince (capped); back to 0 when it fires again after an acknowledgement. */
    escalationLevel: integer().notNull().default(0),
    /** When escalationLevel was last raised; null while 0. */
    escalatedAt: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
    conditionClearedAt: timestamp({ withTimezone: true }),
    acknowledgedAt: timestamp({ withTimezone: true }),
    acknowledgedByUserId: uuid().references(() => appUser.id),
    resolvedAt: timestamp({ withTimezone: true }),
    resolvedByUserId: uuid().references(() => appUser.id),
    outcome: text().$type<'intervened' | 'comforted' | 'no_action_needed' | 'false_alarm'>(),
    note: text(),
    explanation: jsonb().notNull(),
  },
  (t) => [
    // One open alert per stay and kind (clinical) and per device and kind (technical).
    uniqueIndex('alert_one_open_per_stay_kind')
      .on(t.stayId, t.kind)
      .where(sql`${t.state} <> 'resolved' and ${t.stayId} is not null`),
    uniqueIndex('alert_one_open_per_device_kind')
      .on(t.deviceId, t.kind)
      .where(sql`${t.state} <> 'resolved' and ${t.stayId} is null`),
    index().on(t.wardId, t.state),
    check('alert_escalation_level', sql`${t.escalationLevel} >= 0`),
  ],
);

export const alertEvent = pgTable(
  'alert_event',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    alertId: requiredReference(() => alert.id, { onDelete: 'cascade' }),
    at: timestamp({ withTimezone: true }).notNull(),
    /** 'opened' | 'escalated' | 'updated' | 'condition_cleared' | 'reactivated' | 'acknowledged' | 'resolved' */
    type: text().notNull(),
    actorUserId: uuid().references(() => appUser.id),
    detail: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index().on(t.alertId, t.at)],
);
