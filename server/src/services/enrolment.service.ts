/**
 * Enrolling bedside agents and ending their credentials (docs/enrolment.md). IT creates a
 * single-use token for a bed; the agent's `attune-agent enroll` exchanges it for a device identity
 * and a fresh broker secret generated here. Rotation and decommissioning take effect at the broker
 * at once: the old secret is refused and a connected agent is disconnected.
 */
import type { BedEnrolment, DeviceCredentials, DeviceIdentity, EnrolmentTokenSummary } from '@attune/protocol/api';
import { DomainError } from '../domain/errors.ts';
import { canonicalEnrolmentToken, deviceIdCandidates, enrolmentTokenHash, generateEnrolmentToken } from '../domain/enrolment-token.ts';
import { deviceCredentialsToApi, enrolmentTokenToApi } from '../mappers/enrolment.mapper.ts';
import { isoOrNull } from '../mappers/time.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import type { DeviceCredentialRow, EnrolmentRepository } from '../repositories/enrolment.repository.ts';
import { hashPassword, randomSecret } from '../security/passwords.ts';

/** What the broker must do when a device's secret is issued or ended (broker/device-access.ts, for either broker). */
export interface BrokerDeviceAccess {
  /** Lets the device in with this secret (called before the enrolment commits: a failure keeps the token unused). */
  grant(deviceId: string, password: string): Promise<void>;
  /** Closes connections made with the device's previous secret (called once the new credential is committed). */
  disconnect(deviceId: string): Promise<void>;
  /** The current secret no longer opens the broker, and a connected device is disconnected now. */
  revoke(deviceId: string): Promise<void>;
  /** As revoke, for good: the broker forgets the device. */
  remove(deviceId: string): Promise<void>;
}

/** Where an enrolled agent connects, as the agent reached the server at `serverUrl`. */
export type DeviceMqttEndpoint = (serverUrl: URL) => { url: string; caPem: string | null };

export class EnrolmentService {
  constructor(
    private readonly deps: {
      enrolment: EnrolmentRepository;
      audit: AuditRepository;
      broker: BrokerDeviceAccess;
      /** Ingest's cache of device contexts (a decommissioned device's windows are refused at once). */
      contexts: { invalidateAll(): void };
      /** Publishes the consent in force on a bed to its devices (a new device gets its retained consent). */
      consent: { bedChanged(bedId: string): Promise<void> };
      deviceMqtt: DeviceMqttEndpoint;
    },
    private readonly tokenTtlMs: number,
  ) {}

  /** The bed, its devices and its open tokens, for the enrol page. */
  async bedEnrolment(bedId: string, now: Date): Promise<BedEnrolment> {
    const bed = await this.deps.enrolment.findBed(bedId);
    if (!bed) throw new DomainError('not_found', 'No such bed');
    const devices = await this.deps.enrolment.devicesOnBed(bedId);
    return {
      bed: { id: bed.id, label: bed.label, wardId: bed.wardId, wardName: bed.wardName },
      devices: devices.map((d) => ({ ...d, lastSeenAt: isoOrNull(d.lastSeenAt), credentialIssuedAt: isoOrNull(d.credentialIssuedAt) })),
      tokens: (await this.deps.enrolment.listOpen({ bedId }, now)).map(enrolmentTokenToApi),
    };
  }

  /**
   * A single-use token for the bed (or to re-enrol `deviceId`, a device on that bed), valid for
   * ENROLMENT_TOKEN_TTL_H. It revokes the bed's earlier open tokens. The token itself is returned
   * once and stored as sha256 only.
   */
  async createToken(
    bedId: string,
    deviceId: string | null,
    userId: string,
    now: Date,
  ): Promise<{ token: string; summary: EnrolmentTokenSummary }> {
    const bed = await this.deps.enrolment.findBed(bedId);
    if (!bed) throw new DomainError('not_found', 'No such bed');
    if (bed.retiredAt) throw new DomainError('conflict', 'This bed is retired: no agent can be enrolled on it');
    if (deviceId) {
      const device = await this.deps.enrolment.findDevice(deviceId);
      if (!device || device.bedId !== bedId) {
        throw new DomainError('validation_failed', 'That device is not on this bed', { deviceId: 'not a device of this bed' });
      }
      if (device.decommissionedAt) {
        throw new DomainError('conflict', 'That device is decommissioned: enrol a new device for the bed instead');
      }
    }
    const token = generateEnrolmentToken();
    const expiresAt = new Date(now.getTime() + this.tokenTtlMs);
    const { id, revokedIds } = await this.deps.enrolment.createToken({
      tokenHash: enrolmentTokenHash(token),
      bedId,
      deviceId,
      createdByUserId: userId,
      at: now,
      expiresAt,
    });
    await this.audit(userId, 'device.enrolment_token_created', 'bed', bedId, {
      tokenId: id,
      deviceId,
      expiresAt: expiresAt.toISOString(),
      revokedTokenIds: revokedIds,
    });
    return { token, summary: enrolmentTokenToApi((await this.deps.enrolment.findToken(id))!) };
  }

  async revokeToken(tokenId: string, userId: string, now: Date): Promise<void> {
    const revoked = await this.deps.enrolment.revoke(tokenId, now);
    if (!revoked) throw new DomainError('not_found', 'No such open enrolment token');
    await this.audit(userId, 'device.enrolment_token_revoked', 'bed', revoked.bedId, { tokenId, deviceId: revoked.deviceId });
  }

  /**
   * Exchanges a token for a device identity: a new device on the token's bed, or the device the
   * token re-enrols (same id, bed and history; its previous secret is disconnected). Null when the
   * token is unknown, used, revoked or expired: the caller answers all of them alike.
   */
  async enrol(input: { token: string; hostname?: string | undefined }, serverUrl: URL, now: Date): Promise<DeviceIdentity | null> {
    const canonical = canonicalEnrolmentToken(input.token);
    if (!canonical) return this.refused(input.hostname, 'malformed');
    // Hashed before the transaction: scrypt takes tens of milliseconds, the token's row stays locked meanwhile.
    const password = randomSecret(24);
    const credentialHash = await hashPassword(password);
    const mqtt = this.deps.deviceMqtt(serverUrl);
    const issued = await this.deps.enrolment.exchange(enrolmentTokenHash(canonical), now, async (used, isFreeId) => {
      let deviceId = used.deviceId;
      if (!deviceId) {
        const candidate = deviceIdCandidates(used.bed.wardName, used.bed.label);
        let n = 1;
        while (!(await isFreeId(candidate(n)))) n += 1;
        deviceId = candidate(n);
      }
      await this.deps.broker.grant(deviceId, password);
      const identity: DeviceIdentity = {
        deviceId,
        mqtt: { url: mqtt.url, username: deviceId, password, caPem: mqtt.caPem },
        serverUrl: serverUrl.origin,
        bedLabel: used.bed.label,
        wardName: used.bed.wardName,
        reEnrolled: used.deviceId !== null,
      };
      return { deviceId, credentialHash, result: { identity, tokenId: used.id, bedId: used.bed.id } };
    });
    if (!issued) return this.refused(input.hostname, 'no open token');
    const { identity } = issued;
    if (identity.reEnrolled) await this.deps.broker.disconnect(identity.deviceId);
    await this.deps.consent.bedChanged(issued.bedId);
    await this.audit(null, identity.reEnrolled ? 'device.re_enrolled' : 'device.enrolled', 'device', identity.deviceId, {
      bedId: issued.bedId,
      tokenId: issued.tokenId,
      hostname: input.hostname ?? null,
    });
    return identity;
  }

  private audit(
    actorUserId: string | null,
    action: string,
    subjectType: 'bed' | 'device',
    subjectId: string | null,
    detail: Record<string, unknown>,
  ): Promise<void> {
    return this.deps.audit.write({ actorUserId, action, subjectType, subjectId, detail });
  }

  private async findDevice(deviceId: string): Promise<DeviceCredentialRow> {
    const device = await this.deps.enrolment.findDevice(deviceId);
    if (!device) throw new DomainError('not_found', 'No such device');
    return device;
  }

  private async refused(hostname: string | undefined, why: string): Promise<null> {
    await this.audit(null, 'device.enrol_refused', 'device', null, { why, hostname: hostname ?? null });
    return null;
  }

  async credentials(deviceId: string, now: Date): Promise<DeviceCredentials> {
    const device = await this.findDevice(deviceId);
    return deviceCredentialsToApi(device, await this.deps.enrolment.listOpen({ deviceId }, now));
  }

  /**
   * The device stops for good: inactive, its secret refused and its connection closed now, its
   * open tokens revoked. Its windows, alerts and status history stay.
   */
  async decommission(deviceId: string, userId: string, now: Date): Promise<DeviceCredentials> {
    const device = await this.findDevice(deviceId);
    if (!(await this.deps.enrolment.decommission(deviceId, now))) {
      throw new DomainError('conflict', 'This device is already decommissioned');
    }
    this.deps.contexts.invalidateAll();
    await this.deps.broker.remove(deviceId);
    await this.audit(userId, 'device.decommissioned', 'device', deviceId, { bedId: device.bedId });
    return this.credentials(deviceId, now);
  }

  /**
   * Rotation: the current secret is refused from now on (a connected agent is disconnected) and a
   * re-enrolment token for the same device and bed is issued, to run `enroll` with on the machine.
   */
  async rotate(deviceId: string, userId: string, now: Date): Promise<{ token: string; summary: EnrolmentTokenSummary }> {
    const device = await this.findDevice(deviceId);
    if (device.decommissionedAt) throw new DomainError('conflict', 'This device is decommissioned: enrol a new device for the bed instead');
    if (!device.bedId) throw new DomainError('conflict', 'This device is on no bed: enrol a device for a bed instead');
    const issued = await this.createToken(device.bedId, deviceId, userId, now);
    await this.deps.enrolment.invalidateCredential(deviceId, now);
    await this.deps.broker.revoke(deviceId);
    await this.audit(userId, 'device.credentials_rotated', 'device', deviceId, { bedId: device.bedId, tokenId: issued.summary.id });
    return issued;
  }
}
