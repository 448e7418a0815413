/**
 * The patient's stay: admission, transfer and discharge. Consent belongs to the stay, so every
 * change here republishes the retained consent of the beds involved: a new stay starts with none
 * (its agent captures nothing), a transfer hands the consent to the new bed's agent and leaves the
 * old one with none, and discharge ends it.
 */
import type { AlertSensitivitySetting, Stay } from '@attune/protocol/api';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import { BedRetiredError, isUniqueViolation, type StayRepository, type StayRow } from '../repositories/stay.repository.ts';
import { DomainError } from '../domain/errors.ts';
import type { AlertService } from './alert.service.ts';
import type { AlertSensitivity } from '../domain/distress-rule.ts';
import type { ConsentService } from './consent.service.ts';
import type { LiveEvents } from '../platform/live-events.ts';
import { currentConsentToApi, sensitivityToApi, stayToApi } from '../mappers/stay.mapper.ts';

export class StayService {
  constructor(
    private readonly deps: {
      stays: StayRepository;
      consent: ConsentService;
      alerts: AlertService;
      audit: AuditRepository;
      live: LiveEvents;
      /** Writes ingest's accepted windows before a discharge forgets the stay. */
      ingest: { drain(): Promise<void> };
    },
  ) {}

  /** A stay in API shape; consent is null when none was recorded or the stay is discharged (discharge ends it). */
  async view(stayId: string, now = new Date()): Promise<Stay> {
    const stay = await this.find(stayId);
    const consent = stay.dischargedAt ? null : currentConsentToApi(await this.deps.stays.consentEvents(stayId), now);
    return stayToApi(stay, consent);
  }

  async admit(input: { bedId: string; displayName: string; externalId?: string | null }, userId: string, at: Date): Promise<Stay> {
    const bed = await this.deps.stays.findBed(input.bedId);
    if (!bed) throw new DomainError('not_found', 'No such bed');
    if (await this.deps.stays.activeStayForBed(input.bedId)) throw new DomainError('conflict', 'This bed already has a patient');
    const stayId = await intoFreeBed(
      () => this.deps.stays.admit({ displayName: input.displayName, externalId: input.externalId ?? null }, input.bedId, at),
      'This bed already has a patient',
    );
    await this.audit(userId, 'stay.admit', stayId, { bedId: bed.id });
    // A new stay has no consent: the bed's agent is told "all off" for this stay.
    await this.deps.consent.bedChanged(bed.id);
    this.deps.live.publish('stay', bed.wardId, { wardId: bed.wardId, bedId: bed.id, stayId, change: 'admitted' });
    return this.view(stayId, at);
  }

  async transfer(stayId: string, toBedId: string, userId: string, at: Date): Promise<Stay> {
    const stay = await this.findActive(stayId);
    const bed = await this.deps.stays.findBed(toBedId);
    if (!bed) throw new DomainError('not_found', 'No such bed');
    if (stay.bedId === toBedId) throw new DomainError('conflict', 'The patient is already in this bed');
    if (await this.deps.stays.activeStayForBed(toBedId)) throw new DomainError('conflict', 'The target bed already has a patient');
    await intoFreeBed(() => this.deps.stays.transfer(stayId, toBedId, at), 'The target bed already has a patient');
    await this.audit(userId, 'stay.transfer', stayId, { fromBedId: stay.bedId, toBedId });
    // Consent follows the patient: the new bed's agent gets it, the old bed's agent gets none.
    await this.deps.consent.bedChanged(toBedId);
    await this.deps.consent.bedChanged(stay.bedId);
    const data = { bedId: toBedId, fromBedId: stay.bedId, stayId, change: 'transferred' as const };
    this.deps.live.publish('stay', bed.wardId, { wardId: bed.wardId, ...data });
    if (stay.wardId !== bed.wardId) this.deps.live.publish('stay', stay.wardId, { wardId: stay.wardId, ...data });
    return this.view(stayId, at);
  }

  async discharge(stayId: string, userId: string, at: Date): Promise<Stay> {
    const stay = await this.find(stayId);
    if (stay.dischargedAt || !(await this.deps.stays.discharge(stayId, at))) {
      throw new DomainError('conflict', 'The patient has already been discharged');
    }
    await this.audit(userId, 'stay.discharge', stayId);
    // Discharge ends consent: the bed's agent is told "all off", later windows are dropped.
    await this.deps.consent.bedChanged(stay.bedId);
    // Windows accepted before the discharge are written and evaluated; only then is the stay's alert state forgotten.
    await this.deps.ingest.drain();
    this.deps.alerts.forgetStay(stayId);
    this.deps.live.publish('stay', stay.wardId, { wardId: stay.wardId, bedId: stay.bedId, stayId, change: 'discharged' });
    return this.view(stayId, at);
  }

  /**
   * A charge nurse sets the stay's alert sensitivity with a reason; it lapses after 24 h (back to
   * standard). Audited; the board hears of it at once. The role is checked by the route.
   */
  async setAlertSensitivity(
    stayId: string,
    input: { sensitivity: AlertSensitivity; reason: string },
    userId: string,
    at: Date,
  ): Promise<AlertSensitivitySetting> {
    const stay = await this.findActive(stayId);
    const setting = await this.deps.alerts.setSensitivity(stayId, input.sensitivity, input.reason, userId, at);
    await this.audit(userId, 'stay.alert_sensitivity.set', stayId, {
      sensitivity: setting.sensitivity,
      reason: setting.reason,
      expiresAt: setting.expiresAt.toISOString(),
    });
    const view = sensitivityToApi(setting);
    this.deps.live.publish('stay', stay.wardId, {
      wardId: stay.wardId,
      bedId: stay.bedId,
      stayId,
      change: 'alert_sensitivity',
      alertSensitivity: view,
    });
    return view;
  }

  /** The stay's alert sensitivity in force now, or null (standard). */
  async alertSensitivity(stayId: string, now: Date): Promise<AlertSensitivitySetting | null> {
    await this.find(stayId);
    const setting = await this.deps.alerts.currentSensitivity(stayId, now);
    return setting ? sensitivityToApi(setting) : null;
  }

  /** A nurse records "the patient asked to stop": everything off, by staff, at once. */
  async staffStop(stayId: string, userId: string, at: Date): Promise<Stay> {
    await this.deps.consent.record(stayId, { camera: false, wearable: false, actorKind: 'staff', recordedByUserId: userId }, at, 'board');
    return this.view(stayId, at);
  }

  private async find(stayId: string): Promise<StayRow> {
    const stay = await this.deps.stays.find(stayId);
    if (!stay) throw new DomainError('not_found', 'No such stay');
    return stay;
  }

  /** A stay that can still change: found and not discharged. */
  private async findActive(stayId: string): Promise<StayRow> {
    const stay = await this.find(stayId);
    if (stay.dischargedAt) throw new DomainError('conflict', 'The patient has been discharged');
    return stay;
  }

  private async audit(userId: string, action: string, stayId: string, detail?: Record<string, unknown>): Promise<void> {
    await this.deps.audit.write({ actorUserId: userId, action, subjectType: 'stay', subjectId: stayId, detail });
  }
}

/**
 * Runs a write that puts the patient in a bed. The database allows one active stay per bed, so a
 * concurrent admission that took the bed first fails the write: that is the same conflict as a bed
 * found taken beforehand. A bed IT retired meanwhile is refused too.
 */
async function intoFreeBed<T>(write: () => Promise<T>, takenMessage: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError('conflict', takenMessage);
    if (error instanceof BedRetiredError) throw new DomainError('conflict', 'This bed has just been retired by IT: choose another bed');
    throw error;
  }
}
