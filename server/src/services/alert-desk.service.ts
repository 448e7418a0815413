/**
 * What staff do with alerts: list them, read one with its history, acknowledge, resolve, and read
 * the ward's alert quality. Each read and action that the audit log keeps is written here, with
 * the same rows the HTTP API always wrote; who may reach which alert is the route's check.
 */
import type { AlertEvent, AlertQuality, QualityPeriod } from '@attune/protocol/api';
import { QUALITY_PERIOD_HOURS } from '@attune/protocol/api';
import type { Outcome } from '../domain/alert-types.ts';
import { alertEventToApi, alertQualityToApi } from '../mappers/alert.mapper.ts';
import type { AlertListFilter, AlertRepository, AlertRow } from '../repositories/alert.repository.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import type { AlertService } from './alert.service.ts';

export class AlertDeskService {
  constructor(private readonly deps: { alerts: AlertRepository; service: AlertService; audit: AuditRepository }) {}

  get(alertId: string): Promise<AlertRow | null> {
    return this.deps.alerts.get(alertId);
  }

  /** Alerts as the filter narrows them (wardIds null: every ward); technical ones only for technical staff. */
  list(filter: Omit<AlertListFilter, 'category'> & { technicalOnly: boolean }): Promise<AlertRow[]> {
    const { technicalOnly, ...rest } = filter;
    return this.deps.alerts.list({ ...rest, category: technicalOnly ? 'technical' : undefined });
  }

  /** An alert's history. Audited. */
  async history(alertId: string, userId: string): Promise<AlertEvent[]> {
    const events = await this.deps.alerts.events(alertId);
    await this.deps.audit.write({ actorUserId: userId, action: 'alert.read', subjectType: 'alert', subjectId: alertId });
    return events.map(alertEventToApi);
  }

  /** "I have seen it and I am on it." Audited. */
  async acknowledge(alertId: string, userId: string, at: Date): Promise<AlertRow> {
    const row = await this.deps.service.acknowledge(alertId, userId, at);
    await this.deps.audit.write({ actorUserId: userId, action: 'alert.acknowledge', subjectType: 'alert', subjectId: alertId });
    return row;
  }

  /** Resolves an open alert with its outcome (feeds alarm-fatigue review). Audited. */
  async resolve(alertId: string, userId: string, outcome: Outcome, note: string | null, at: Date): Promise<AlertRow> {
    const row = await this.deps.service.resolve(alertId, userId, outcome, note, at);
    await this.deps.audit.write({
      actorUserId: userId,
      action: 'alert.resolve',
      subjectType: 'alert',
      subjectId: alertId,
      detail: { outcome },
    });
    return row;
  }

  /**
   * Alert quality per ward and kind over the last 24 h, 7 d or 30 d: alerts per patient-day, the
   * share of each outcome and the time to the first response. `wardId` null: all of `wardIds`. Audited.
   */
  async quality(period: QualityPeriod, wardId: string | null, wardIds: string[], userId: string, to: Date): Promise<AlertQuality> {
    const from = new Date(to.getTime() - QUALITY_PERIOD_HOURS[period] * 3600_000);
    const rows = await this.deps.alerts.quality(from, to, wardId ? [wardId] : wardIds);
    await this.deps.audit.write({
      actorUserId: userId,
      action: 'alert.quality.read',
      subjectType: 'ward',
      subjectId: wardId,
      detail: { period },
    });
    return alertQualityToApi(period, from, to, rows);
  }
}
