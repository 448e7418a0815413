import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { DeviceConfig, DeviceStatus, SourceState } from '@attune/protocol';
import { appUser } from './app-user.ts';
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
    /** Set when IT decommissions the device: its broker account is removed, its history stays. */
    decommissionedAt: timestamp({ withTimezone: true }),
    /** When the device's broker secret was last issued (enrolment or rotation). */
    credentialIssuedAt: timestamp({ withTimezone: true }),
    /**
     * The remote configuration IT set for this device, as published (retained) on its config topic;
     * null: none set, the agent runs its local file. Its `version` is monotonic per device.
     */
    remoteConfig: jsonb().$type<DeviceConfig>(),
    /** The device's last status message as received (fleet health: outbox, CPU, memory, doctor, config result). */
    lastStatus: jsonb().$type<DeviceStatus>(),
  },
  (t) => [index().on(t.bedId)],
);

/**
 * A single-use enrolment token IT creates for a bed (docs/deploy.md, "Enrol an agent"). Only
 * sha256(token) is stored. `deviceId` is set when the token re-enrols an existing device (a
 * replaced machine or a credential rotation), so the bed and device keep their history.
 */
export const enrolmentToken = pgTable(
  'enrolment_token',
  {
    id: uuid().primaryKey().defaultRandom(),
    tokenHash: text().notNull().unique(),
    bedId: uuid()
      .notNull()
      .references(() => bed.id),
    deviceId: text().references(() => device.id),
    createdByUserId: uuid().references(() => appUser.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    /** Set when the token was exchanged for a device identity. */
    usedAt: timestamp({ withTimezone: true }),
    /** Set when IT revoked it (or a newer token for the same bed replaced it). */
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.bedId)],
);

/** Every status message a device sent, as received, for the device's detail page (kept DEVICE_STATUS_KEEP_DAYS). */
export const deviceStatusHistory = pgTable(
  'device_status_history',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deviceId: text()
      .notNull()
      .references(() => device.id),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    status: jsonb().$type<DeviceStatus>().notNull(),
  },
  (t) => [index().on(t.deviceId, t.receivedAt)],
);
