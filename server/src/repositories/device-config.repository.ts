/**
 * A device's remote configuration (device.remote_config) and its version history. The version is
 * monotonic per device across clears too: an agent that missed a clear while offline must not
 * ignore the next configuration as older than the one it holds. The highest version ever issued is
 * therefore read from the audit rows of `device.config_changed` (each records `version`), in the
 * same transaction that writes the new configuration and its audit row.
 */
import { auditLog, device, type Database } from '@attune/db';
import type { DeviceConfig, DeviceStatus } from '@attune/protocol';
import { and, eq, isNotNull, sql } from 'drizzle-orm';

export const CONFIG_CHANGED = 'device.config_changed';

export interface DeviceConfigRow {
  deviceId: string;
  isActive: boolean;
  decommissionedAt: Date | null;
  remoteConfig: DeviceConfig | null;
  lastStatus: DeviceStatus | null;
  /** The models the agent last reported running: name -> version. */
  models: Record<string, string>;
}

export interface ConfigChange {
  /** Builds the new configuration from the next free version; null clears it. */
  next: (version: number) => DeviceConfig | null;
  actorUserId: string | null;
}

export class DeviceConfigRepository {
  constructor(private readonly db: Database) {}

  async find(deviceId: string): Promise<DeviceConfigRow | null> {
    const [row] = await this.db.orm
      .select({
        deviceId: device.id,
        isActive: device.isActive,
        decommissionedAt: device.decommissionedAt,
        remoteConfig: device.remoteConfig,
        lastStatus: device.lastStatus,
        models: device.models,
      })
      .from(device)
      .where(eq(device.id, deviceId));
    return row ?? null;
  }

  /**
   * Replaces (or clears) the configuration under a row lock, so two administrators saving at once
   * get two versions; writes the audit row with the old and new configuration in the same
   * transaction. Answers the old and new configuration.
   */
  async change(deviceId: string, change: ConfigChange): Promise<{ old: DeviceConfig | null; new: DeviceConfig | null }> {
    return this.db.orm.transaction(async (tx) => {
      const [row] = await tx.select({ remoteConfig: device.remoteConfig }).from(device).where(eq(device.id, deviceId)).for('update');
      const old = row?.remoteConfig ?? null;
      const [issued] = await tx
        .select({ max: sql<number | null>`max((${auditLog.detail}->>'version')::int)` })
        .from(auditLog)
        .where(and(eq(auditLog.action, CONFIG_CHANGED), eq(auditLog.subjectType, 'device'), eq(auditLog.subjectId, deviceId)));
      const highest = Math.max(old?.version ?? 0, Number(issued?.max ?? 0));
      const next = change.next(highest + 1);
      await tx.update(device).set({ remoteConfig: next }).where(eq(device.id, deviceId));
      await tx.insert(auditLog).values({
        actorUserId: change.actorUserId,
        action: CONFIG_CHANGED,
        subjectType: 'device',
        subjectId: deviceId,
        detail: { version: next?.version ?? old?.version ?? 0, old, new: next },
      });
      return { old, new: next };
    });
  }

  /** Every active device's stored configuration, for republishing at start. */
  async listActiveConfigs(): Promise<DeviceConfig[]> {
    const rows = await this.db.orm
      .select({ remoteConfig: device.remoteConfig })
      .from(device)
      .where(and(eq(device.isActive, true), isNotNull(device.remoteConfig)));
    return rows.flatMap((r) => (r.remoteConfig ? [r.remoteConfig] : []));
  }
}
