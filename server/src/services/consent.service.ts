/**
 * Consent belongs to the stay. Recording a choice appends to the hash-chained ledger, drops the
 * ingest cache and republishes the retained consent message to the bed's agent at once, so a
 * withdrawal reaches the bedside within seconds. At start every device gets its current consent.
 */
import { PROTOCOL_VERSION, type ConsentMessage } from '@attune/protocol';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import type { DeviceRepository } from '../repositories/device.repository.ts';
import type { ConsentEventRow } from '../domain/consent-ledger.ts';
import type { StayRepository } from '../repositories/stay.repository.ts';
import { DomainError } from '../domain/errors.ts';
import { buildConsentEvent, consentAt, type ConsentChoice } from '../domain/consent-ledger.ts';
import type { DeviceContextCache } from './device-context.ts';
import type { LiveEvents } from '../platform/live-events.ts';

/** The edge that puts a retained consent message on the broker (MQTT in production). */
export interface ConsentPublisher {
  publishConsent(message: ConsentMessage): Promise<void>;
}

export class ConsentService {
  constructor(
    private readonly deps: {
      stays: StayRepository;
      devices: DeviceRepository;
      audit: AuditRepository;
      contexts: DeviceContextCache;
      live: LiveEvents;
      publisher: ConsentPublisher;
      metrics: Metrics;
      logger: Logger;
    },
  ) {}

  /**
   * Appends a consent choice to the stay's ledger and republishes the bed's retained consent.
   * `via` says where it was made (e.g. 'tablet', 'board') for the audit log.
   */
  async record(stayId: string, choice: ConsentChoice, at: Date, via = 'system'): Promise<ConsentEventRow> {
    const stay = await this.deps.stays.find(stayId);
    if (!stay) throw new DomainError('not_found', 'No such stay');
    if (stay.dischargedAt) throw new DomainError('conflict', 'Consent cannot change after discharge');
    const event = await this.deps.stays.appendConsent(stayId, (prevHash) => buildConsentEvent(stayId, choice, at, prevHash));
    await this.deps.audit.write({
      actorUserId: choice.recordedByUserId ?? null,
      action: 'consent.record',
      subjectType: 'stay',
      subjectId: stayId,
      detail: { camera: choice.camera, wearable: choice.wearable, actorKind: choice.actorKind, via, eventId: event.id },
    });
    this.deps.contexts.invalidateAll();
    this.deps.live.publish('consent', stay.wardId, {
      wardId: stay.wardId,
      bedId: stay.bedId,
      stayId,
      camera: choice.camera,
      wearable: choice.wearable,
    });
    await this.publishForBed(stay.bedId);
    return event;
  }

  /** After an admission, transfer or discharge on a bed. */
  async bedChanged(bedId: string): Promise<void> {
    this.deps.contexts.invalidateAll();
    await this.publishForBed(bedId);
  }

  async publishForBed(bedId: string): Promise<void> {
    for (const device of await this.deps.devices.findByBed(bedId)) await this.publishForDevice(device.id, bedId);
  }

  /**
   * At start: re-publish what is in force under the version the device already holds (nothing
   * changed while the server was down, since only the server changes consent), so agents do
   * not treat a server restart as a consent change.
   */
  async publishAll(): Promise<void> {
    for (const device of await this.deps.devices.listActiveWithBeds()) {
      await this.publishForDevice(device.id, device.bedId, device.consentVersion > 0 ? device.consentVersion : undefined);
    }
  }

  private async publishForDevice(deviceId: string, bedId: string, keepVersion?: number): Promise<void> {
    const now = new Date();
    const stay = await this.deps.stays.activeStayForBed(bedId);
    const current = stay ? consentAt(await this.deps.stays.consentEvents(stay.id), now) : null;
    const version = keepVersion ?? (await this.deps.devices.nextConsentVersion(deviceId));
    const message: ConsentMessage = {
      v: PROTOCOL_VERSION,
      deviceId,
      version,
      stay: stay?.id ?? null,
      modalities: { camera: current?.camera ?? false, wearable: current?.wearable ?? false },
      issuedAt: now.toISOString(),
    };
    await this.deps.publisher.publishConsent(message);
    this.deps.metrics.consentPublished.inc();
    this.deps.logger.info('consent published', {
      deviceId,
      version,
      camera: message.modalities.camera,
      wearable: message.modalities.wearable,
    });
  }
}
