/**
 * A stay's consent as a FHIR R4 Consent resource (https://hl7.org/fhir/R4/consent.html): the
 * choice in force, who made it (the patient, or a legal representative as a contained
 * RelatedPerson), and a nested provision per modality. Pure: it takes the ledger and a time.
 */
import type { ConsentEventRow } from '../domain/consent-ledger.ts';
import type { StayRow } from '../repositories/stay.repository.ts';

export const MODALITY_SYSTEM = 'https://attune.health/fhir/CodeSystem/monitoring-modality';
export const LEDGER_SYSTEM = 'urn:attune:consent-ledger';

const MODALITIES = [
  { code: 'camera', display: 'Bedside camera (facial expression and pain indicators, analysed at the bedside)' },
  { code: 'wearable', display: 'Wristband (heart rate, heart rate variability, skin conductance, temperature, movement)' },
] as const;

export type FhirConsent = Record<string, unknown> & { resourceType: 'Consent'; status: 'active' | 'inactive' | 'rejected' };

/**
 * Status: `active` while the choice in force permits a modality; `inactive` once withdrawn or
 * after discharge; `rejected` when every choice so far said no. Null when nothing was recorded.
 */
export function toFhirConsent(stay: StayRow, events: readonly ConsentEventRow[], now: Date): FhirConsent | null {
  const inForce = events.filter((e) => e.effectiveAt.getTime() <= now.getTime());
  const current = inForce.at(-1);
  if (!current) return null;
  const permits = (e: ConsentEventRow) => e.camera || e.wearable;
  const status = stay.dischargedAt ? 'inactive' : permits(current) ? 'active' : inForce.some(permits) ? 'inactive' : 'rejected';
  const patient = { display: stay.patientName, ...(stay.externalId ? { identifier: { value: stay.externalId } } : {}) };
  const byProxy = current.actorKind === 'proxy';
  const contained = byProxy
    ? [
        {
          resourceType: 'RelatedPerson',
          id: 'proxy',
          patient,
          relationship: [{ text: current.proxyRelationship ?? 'legal representative' }],
          name: [{ text: current.proxyName ?? '' }],
        },
      ]
    : [];
  const performer = byProxy
    ? [{ reference: '#proxy', type: 'RelatedPerson', display: `${current.proxyName} (${current.proxyRelationship})` }]
    : // The patient decided (a staff-recorded stop is the patient asking a nurse).
      [{ type: 'Patient', display: stay.patientName }];
  const optIn = status === 'active';
  return {
    resourceType: 'Consent',
    id: stay.id,
    ...(contained.length > 0 ? { contained } : {}),
    identifier: [{ system: LEDGER_SYSTEM, value: current.hash }],
    status,
    scope: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy', display: 'Privacy Consent' }],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient,
    dateTime: current.effectiveAt.toISOString(),
    performer,
    ...(current.textHash
      ? {
          sourceAttachment: {
            contentType: 'application/json',
            ...(current.language ? { language: current.language } : {}),
            url: `urn:attune:consent-text:sha256:${current.textHash}`,
            title: 'Attune bedside consent text',
          },
        }
      : {}),
    policy: [{ uri: 'https://eur-lex.europa.eu/eli/reg/2016/679/oj' }],
    policyRule: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
          code: optIn ? 'OPTIN' : 'OPTOUT',
          display: optIn ? 'opt-in' : 'opt-out',
        },
      ],
    },
    provision: {
      type: permits(current) && !stay.dischargedAt ? 'permit' : 'deny',
      period: {
        start: current.effectiveAt.toISOString(),
        ...(stay.dischargedAt ? { end: stay.dischargedAt.toISOString() } : {}),
      },
      purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT', display: 'treatment' }],
      provision: MODALITIES.map((m) => ({
        type: current[m.code] && !stay.dischargedAt ? 'permit' : 'deny',
        code: [{ coding: [{ system: MODALITY_SYSTEM, code: m.code, display: m.display }], text: m.code }],
      })),
    },
  };
}
