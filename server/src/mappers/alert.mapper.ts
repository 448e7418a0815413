/** Alerts in API shape (docs/api.md `Alert`, `AlertEvent`, `AlertSummary`, `AlertQuality`). */
import type {
  Alert,
  AlertEvent,
  AlertEventType,
  AlertQuality,
  AlertSummary,
  KindQuality,
  QualityPeriod,
  WardQuality,
} from '@attune/protocol/api';
import { ALERT_CATEGORY, type AlertKind } from '../domain/alert-types.ts';
import type { AlertEventRow, AlertQualityRow, AlertRow } from '../repositories/alert.repository.ts';
import { isoOrNull } from './time.ts';

export function alertToApi(a: AlertRow): Alert {
  return {
    id: a.id,
    kind: a.kind,
    category: a.category,
    priority: a.priority,
    state: a.state,
    conditionActive: a.conditionActive,
    wardId: a.wardId,
    bedId: a.bedId,
    bedLabel: a.bedLabel,
    stayId: a.stayId,
    patientName: a.patientName,
    deviceId: a.deviceId,
    openedAt: a.openedAt.toISOString(),
    firingSince: a.firingSince.toISOString(),
    escalationLevel: a.escalationLevel,
    escalatedAt: isoOrNull(a.escalatedAt),
    updatedAt: a.updatedAt.toISOString(),
    conditionClearedAt: isoOrNull(a.conditionClearedAt),
    acknowledgedAt: isoOrNull(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy,
    resolvedAt: isoOrNull(a.resolvedAt),
    resolvedBy: a.resolvedBy,
    outcome: a.outcome,
    note: a.note,
    explanation: a.explanation,
  };
}

/**
 * What technical staff see of a technical alert: the equipment, the bed and the ward, never the
 * patient. The consent text promises "technical staff see only whether the equipment works", so
 * the patient's name, the stay and the nurse's free-text note are removed here, in one place, for
 * the API and the live stream alike.
 */
export function technicalAlertView(alert: Alert): Alert {
  if (alert.category !== 'technical') throw new Error('technicalAlertView: a clinical alert never reaches technical staff');
  return { ...alert, patientName: null, stayId: null, note: null };
}

export function alertEventToApi(e: AlertEventRow): AlertEvent {
  // The repository stores only the event types the alert service writes.
  return { id: String(e.id), at: e.at.toISOString(), type: e.type as AlertEventType, actor: e.actor, detail: e.detail };
}

/** A bed tile's open alert: the first line of its explanation. */
export function alertSummaryToApi(a: AlertRow): AlertSummary {
  return {
    id: a.id,
    kind: a.kind,
    priority: a.priority,
    state: a.state,
    summary: a.explanation.summary,
    openedAt: a.openedAt.toISOString(),
    firingSince: a.firingSince.toISOString(),
    acknowledgedAt: isoOrNull(a.acknowledgedAt),
    escalationLevel: a.escalationLevel,
  };
}

const share = (count: number, total: number) => (total === 0 ? null : count / total);

/** The alert quality figures: one entry per ward, its kinds inside. */
export function alertQualityToApi(period: QualityPeriod, from: Date, to: Date, rows: AlertQualityRow[]): AlertQuality {
  const wards = new Map<string, WardQuality>();
  for (const r of rows) {
    let ward = wards.get(r.wardId);
    if (!ward) {
      ward = { wardId: r.wardId, wardName: r.wardName, patientDays: r.patientDays, kinds: [] };
      wards.set(r.wardId, ward);
    }
    if (r.kind !== null) ward.kinds.push(kindQualityToApi(r, r.kind));
  }
  return { period, from: from.toISOString(), to: to.toISOString(), wards: [...wards.values()] };
}

function kindQualityToApi(r: AlertQualityRow, kind: AlertKind): KindQuality {
  const outcome = (count: number) => ({ count, share: share(count, r.alerts) });
  return {
    kind,
    category: ALERT_CATEGORY[kind],
    alerts: r.alerts,
    alertsPerPatientDay: r.alertsPerPatientDay,
    outcomes: {
      intervened: outcome(r.intervened),
      comforted: outcome(r.comforted),
      no_action_needed: outcome(r.noActionNeeded),
      false_alarm: outcome(r.falseAlarm),
      none_recorded: outcome(r.noneRecorded),
    },
    responded: r.responded,
    timeToAcknowledgeS: { median: r.responseMedianS, p90: r.responseP90S },
  };
}
