/**
 * Remote configuration of agents (it_admin). Setting one numbers the next version, stores it,
 * audits old and new, and publishes it retained (QoS 1) on the device's config topic, where the
 * agent picks it up at once or at its next connection; clearing publishes an empty retained
 * payload, which removes the retained message, and the agent goes back to its local file. At start
 * every stored configuration is published again unchanged (same version), as consent is: the
 * embedded broker keeps retained messages in memory only.
 */
import { PROTOCOL_VERSION, type DeviceConfig } from '@attune/protocol';
import type { DeviceConfigAnswer, DeviceConfigBody } from '@attune/protocol/api';
import { DomainError } from '../domain/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { DeviceConfigRepository, DeviceConfigRow } from '../repositories/device-config.repository.ts';

/** The edge that puts a retained configuration on the broker (MQTT in production); null clears it. */
export interface DeviceConfigPublisher {
  publishDeviceConfig(deviceId: string, message: DeviceConfig | null): Promise<void>;
}

export class DeviceConfigService {
  constructor(
    private readonly deps: {
      configs: DeviceConfigRepository;
      publisher: DeviceConfigPublisher;
      logger: Logger;
      now?: () => Date;
    },
  ) {}

  /** The configuration set for the device and what its agent last reported about it. */
  async get(deviceId: string): Promise<DeviceConfigAnswer> {
    return answer(await this.findDevice(deviceId));
  }

  /** Sets the device's configuration under the next version and publishes it. */
  async set(deviceId: string, body: DeviceConfigBody, actorUserId: string): Promise<DeviceConfigAnswer> {
    const row = await this.findWritable(deviceId);
    const issuedAt = (this.deps.now?.() ?? new Date()).toISOString();
    const change = await this.deps.configs.change(deviceId, {
      actorUserId,
      next: (version) => ({ v: PROTOCOL_VERSION, deviceId, version, issuedAt, ...body }),
    });
    await this.publish(deviceId, change.new);
    return answer({ ...row, remoteConfig: change.new });
  }

  /** Clears the device's configuration: its agent runs its local file again. */
  async clear(deviceId: string, actorUserId: string): Promise<DeviceConfigAnswer> {
    const row = await this.findWritable(deviceId);
    if (row.remoteConfig === null) return answer(row);
    await this.deps.configs.change(deviceId, { actorUserId, next: () => null });
    await this.publish(deviceId, null);
    return answer({ ...row, remoteConfig: null });
  }

  /** At start: every stored configuration again, same version, so agents see no change. */
  async publishAll(): Promise<void> {
    for (const config of await this.deps.configs.listActiveConfigs()) await this.publish(config.deviceId, config);
  }

  private async publish(deviceId: string, config: DeviceConfig | null): Promise<void> {
    await this.deps.publisher.publishDeviceConfig(deviceId, config);
    this.deps.logger.info(config ? 'device config published' : 'device config cleared', {
      deviceId,
      version: config?.version ?? null,
    });
  }

  private async findDevice(deviceId: string): Promise<DeviceConfigRow> {
    const row = await this.deps.configs.find(deviceId);
    if (!row) throw new DomainError('not_found', 'No such device');
    return row;
  }

  private async findWritable(deviceId: string): Promise<DeviceConfigRow> {
    const row = await this.findDevice(deviceId);
    if (row.decommissionedAt || !row.isActive)
      throw new DomainError('conflict', 'This device is decommissioned or inactive: it cannot be configured');
    return row;
  }
}

function answer(row: DeviceConfigRow): DeviceConfigAnswer {
  const status = row.lastStatus;
  return {
    deviceId: row.deviceId,
    desired: row.remoteConfig,
    reported: status?.config ? { ...status.config, at: status.at } : null,
    models: row.models,
  };
}
