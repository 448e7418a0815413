/** Stays, consent and alert sensitivity in API shape (docs/api.md `Stay`, `CurrentConsent`, `Timeline`). */
import type { Alert, AlertSensitivitySetting, Consent, CurrentConsent, Stay, Timeline, TimelineScore } from '@attune/protocol/api';
import type { Driver } from '@attune/protocol';
import type { StaySensitivity } from '../domain/alert-sensitivity.ts';
import { eventInForce, type ConsentEventRow } from '../domain/consent-ledger.ts';
import { renderDrivers } from '../domain/driver-words.ts';
import type { StayRow } from '../repositories/stay.repository.ts';
import { isoOrNull } from './time.ts';

/** The consent event in force at `now`; null when none was recorded. */
export function currentConsentToApi(events: readonly ConsentEventRow[], now: Date): CurrentConsent | null {
  const current = eventInForce(events, now);
  if (!current) return null;
  return {
    camera: current.camera,
    wearable: current.wearable,
    actor: current.actorKind,
    proxyName: current.proxyName,
    proxyRelationship: current.proxyRelationship,
    since: current.effectiveAt.toISOString(),
  };
}

export function stayToApi(stay: StayRow, consent: CurrentConsent | null): Stay {
  return {
    id: stay.id,
    patientName: stay.patientName,
    externalId: stay.externalId,
    bedId: stay.bedId,
    bedLabel: stay.bedLabel,
    wardId: stay.wardId,
    admittedAt: stay.admittedAt.toISOString(),
    dischargedAt: isoOrNull(stay.dischargedAt),
    consent,
  };
}

export function sensitivityToApi(s: StaySensitivity): AlertSensitivitySetting {
  return {
    sensitivity: s.sensitivity,
    reason: s.reason,
    setBy: s.setBy,
    setAt: s.setAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
  };
}

export function consentRecordToApi(e: ConsentEventRow): Consent {
  return { at: e.effectiveAt.toISOString(), camera: e.camera, wearable: e.wearable, actor: e.actorKind, proxyName: e.proxyName };
}

type ScoreRow = Omit<TimelineScore, 'windowEnd' | 'drivers'> & { windowEnd: Date; drivers: Driver[] };

export function timelineToApi(stay: StayRow, consent: ConsentEventRow[], scores: ScoreRow[], alerts: Alert[]): Timeline {
  return {
    stay: {
      id: stay.id,
      patientName: stay.patientName,
      bedLabel: stay.bedLabel,
      wardId: stay.wardId,
      admittedAt: stay.admittedAt.toISOString(),
      dischargedAt: isoOrNull(stay.dischargedAt),
    },
    consent: consent.map(consentRecordToApi),
    scores: scores.map((s) => ({ ...s, windowEnd: s.windowEnd.toISOString(), drivers: renderDrivers(s.drivers) })),
    alerts,
  };
}
