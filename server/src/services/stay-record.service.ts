/**
 * Reading a stay's record: the stay with its consent, its timeline, the consent hash chain and the
 * consent as FHIR. Every read is written to the audit log here, with the rows the HTTP API always
 * wrote; whether the reader works on the stay's ward is the route's check.
 */
import type { ConsentVerification, Stay, Timeline } from '@attune/protocol/api';
import { DomainError } from '../domain/errors.ts';
import { alertToApi } from '../mappers/alert.mapper.ts';
import { timelineToApi } from '../mappers/stay.mapper.ts';
import type { AlertRepository } from '../repositories/alert.repository.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import type { ScoreRepository } from '../repositories/score.repository.ts';
import type { StayRepository, StayRow } from '../repositories/stay.repository.ts';
import { toFhirConsent, type FhirConsent } from './consent-fhir.ts';
import { verifyStayChain } from './consent-verification.ts';
import type { StayService } from './stay.service.ts';

export class StayRecordService {
  constructor(
    private readonly deps: {
      stays: StayRepository;
      scores: ScoreRepository;
      alerts: AlertRepository;
      audit: AuditRepository;
      service: StayService;
    },
  ) {}

  find(stayId: string): Promise<StayRow | null> {
    return this.deps.stays.find(stayId);
  }

  /** A bed and its ward, or null: admissions and transfers name beds the route checks the ward of. */
  findBed(bedId: string) {
    return this.deps.stays.findBed(bedId);
  }

  /** The stay with the consent in force. Audited. */
  async read(stayId: string, userId: string): Promise<Stay> {
    const stay = await this.deps.service.view(stayId);
    await this.audit(userId, 'stay.read', stayId);
    return stay;
  }

  /** The stay's distress scores since `hours` ago, its alerts and its consent history. Audited. */
  async timeline(stay: StayRow, hours: number, userId: string, now: Date): Promise<Timeline> {
    const from = new Date(now.getTime() - hours * 3600_000);
    const [scores, alerts, consent] = await Promise.all([
      this.deps.scores.timeline(stay.id, from),
      this.deps.alerts.listForStay(stay.id),
      this.deps.stays.consentEvents(stay.id),
    ]);
    await this.audit(userId, 'stay.timeline.read', stay.id, { hours });
    return timelineToApi(stay, consent, scores, alerts.map(alertToApi));
  }

  /** Walks the stay's consent hash chain. Audited. */
  async verifyConsent(stayId: string, userId: string): Promise<ConsentVerification> {
    const verdict = await verifyStayChain(this.deps.stays, stayId);
    await this.audit(userId, 'consent.verify', stayId, { ok: verdict.ok, events: verdict.events });
    return verdict;
  }

  /** The stay's consent as a FHIR R4 Consent resource; not_found when none was recorded. Audited. */
  async consentAsFhir(stay: StayRow, userId: string, now: Date): Promise<FhirConsent> {
    const resource = toFhirConsent(stay, await this.deps.stays.consentEvents(stay.id), now);
    if (!resource) throw new DomainError('not_found', 'No consent has been recorded for this stay');
    await this.audit(userId, 'consent.fhir.export', stay.id, { status: resource.status });
    return resource;
  }

  private audit(userId: string, action: string, stayId: string, detail?: Record<string, unknown>): Promise<void> {
    return this.deps.audit.write({ actorUserId: userId, action, subjectType: 'stay', subjectId: stayId, ...(detail ? { detail } : {}) });
  }
}
