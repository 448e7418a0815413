/**
 * Turns rule decisions into alerts a nurse sees: one open alert per stay and kind (updated, not
 * duplicated), every change recorded as an alert_event and pushed to dashboards over SSE.
 */
import type { ScoreWindow } from '@attune/protocol';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { AlertRepository, AlertRow } from '../repositories/alert.repository.ts';
import type { ScoreRepository } from '../repositories/score.repository.ts';
import {
  ALERT_CATEGORY,
  PRIORITY_RANK,
  TECHNICAL_PRIORITY,
  type AlertKind,
  type Explanation,
  type Outcome,
  type Priority,
  type TechnicalKind,
} from './alert-types.ts';
import {
  evaluateDistressWindow,
  initialDistressState,
  resetAfterResolution,
  type DistressDecision,
  type DistressRuleState,
  type RuleWindow,
} from './distress-rule.ts';
import { explainConsentViolation, explainDeviceOffline } from './explanation.ts';
import type { LiveEvents } from './live-events.ts';

export interface AlertScope {
  stayId: string | null;
  deviceId: string | null;
  bedId: string | null;
  wardId: string | null;
}

export class AlertActionError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

const VIOLATION_REFRESH_MS = 60_000;

/** How far back the rule state is rebuilt from stored windows after a restart. */
const REBUILD_WINDOW_MS = 15 * 60 * 1000;

export function toRuleWindow(w: ScoreWindow, receivedAt: Date): RuleWindow {
  return {
    deviceId: w.deviceId,
    seq: w.seq,
    windowStart: new Date(w.windowStart),
    windowEnd: new Date(w.windowEnd),
    receivedAt,
    distress: w.fused.distress,
    confidence: w.fused.confidence,
    drivers: w.fused.drivers,
    ...(w.face ? { face: w.face } : {}),
    ...(w.wearable ? { wearable: w.wearable } : {}),
    quality: w.quality,
    models: w.models,
  };
}

export class AlertService {
  private readonly distressByStay = new Map<string, DistressRuleState>();
  /** Devices whose offline alert has its condition active: the only ones a message can clear (kept in memory, off the ingest hot path). */
  private readonly offlineDevices = new Set<string>();
  /** When each stay's (or stay-less device's) consent-violation alert was last written. */
  private readonly violationRaisedAtMs = new Map<string, number>();

  constructor(
    private readonly alerts: AlertRepository,
    private readonly live: LiveEvents,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /**
   * Rebuilds each active stay's rule state after a restart by replaying the windows stored in the
   * last 15 minutes, in the order they were received, from after the stay's last resolved distress
   * alert (a resolution resets the rule). A window is acknowledged once it is stored, but the alert
   * it should open is written just after: if the process died in between, the replayed state is
   * active while no alert is, and that alert is opened now. Nothing is lost across a crash.
   */
  async rebuild(scores: ScoreRepository, now: Date): Promise<void> {
    const recent = await scores.recentForActiveStays(new Date(now.getTime() - REBUILD_WINDOW_MS));
    const lastOpen = new Map<string, { decision: DistressDecision; scope: AlertScope & { stayId: string } }>();
    for (const { stayId, window, receivedAt, bedId, wardId } of recent) {
      const state = this.distressByStay.get(stayId) ?? initialDistressState();
      const { state: next, decision } = evaluateDistressWindow(state, toRuleWindow(window, receivedAt));
      this.distressByStay.set(stayId, next);
      if (decision?.type === 'open') lastOpen.set(stayId, { decision, scope: { stayId, deviceId: window.deviceId, bedId, wardId } });
    }
    for (const [stayId, { decision, scope }] of lastOpen) {
      if (this.distressByStay.get(stayId)?.active === null) continue; // the episode cleared again
      const open = await this.alerts.findOpenForStay(stayId, 'sustained_distress');
      if (open?.conditionActive) continue;
      this.logger.warn('opening a distress alert its stored windows called for (the process stopped before writing it)', { stayId });
      await this.applyDistressDecision(scope, decision);
    }
    for (const deviceId of await this.alerts.devicesWithActiveCondition('device_offline')) this.offlineDevices.add(deviceId);
    await this.refreshOpenGauge();
  }

  /** Forgets a stay's rule state (discharge, or its data was erased): nothing of it is kept in memory. */
  forgetStay(stayId: string): void {
    this.distressByStay.delete(stayId);
    this.violationRaisedAtMs.delete(stayId);
  }

  async onScoreWindow(scope: AlertScope & { stayId: string; wardId: string | null }, window: ScoreWindow, receivedAt: Date): Promise<void> {
    const state = this.distressByStay.get(scope.stayId) ?? initialDistressState();
    const { state: next, decision } = evaluateDistressWindow(state, toRuleWindow(window, receivedAt));
    this.distressByStay.set(scope.stayId, next);
    if (decision) await this.applyDistressDecision(scope, decision);
  }

  private async applyDistressDecision(scope: AlertScope & { stayId: string }, d: DistressDecision): Promise<void> {
    if (!scope.wardId) return;
    const open = await this.alerts.findOpenForStay(scope.stayId, 'sustained_distress');
    if (d.type === 'open') {
      if (open) {
        // A new episode while the last alert is still unresolved: the same alert fires again.
        const priority = higher(open.priority, d.priority);
        await this.alerts.update(open.id, {
          priority,
          conditionActive: true,
          conditionClearedAt: null,
          explanation: d.explanation,
          state: 'firing',
          at: d.at,
        });
        await this.record(open.id, 'reactivated', d.at, null, { priority });
        return;
      }
      const id = await this.alerts.insert({
        kind: 'sustained_distress',
        category: 'clinical',
        priority: d.priority,
        wardId: scope.wardId,
        bedId: scope.bedId,
        stayId: scope.stayId,
        deviceId: scope.deviceId,
        at: d.at,
        explanation: d.explanation,
      });
      this.metrics.alertsOpened.inc({ kind: 'sustained_distress' });
      await this.record(id, 'opened', d.at, null, { priority: d.priority });
      return;
    }
    if (!open) return; // resolved by a nurse meanwhile; the rule was reset then
    if (d.type === 'escalate') {
      // A higher priority re-alerts even if the previous level was acknowledged.
      await this.alerts.update(open.id, { priority: d.priority, explanation: d.explanation, state: 'firing', at: d.at });
      await this.record(open.id, 'escalated', d.at, null, { from: open.priority, to: d.priority });
    } else if (d.type === 'update') {
      await this.alerts.update(open.id, { explanation: d.explanation, at: d.at });
      await this.record(open.id, 'updated', d.at, null, {});
    } else {
      await this.alerts.update(open.id, { conditionActive: false, conditionClearedAt: d.at, explanation: d.explanation, at: d.at });
      await this.record(open.id, 'condition_cleared', d.at, null, {});
    }
  }

  async raiseConsentViolation(scope: AlertScope, modalities: string[], at: Date): Promise<void> {
    if (!scope.wardId) return;
    // An agent that keeps sending a withdrawn modality is one alert, refreshed at most once a
    // minute: every message is still rejected and counted, but not written again here.
    const key = scope.stayId ?? scope.deviceId ?? '';
    const lastMs = this.violationRaisedAtMs.get(key);
    if (lastMs !== undefined && at.getTime() - lastMs < VIOLATION_REFRESH_MS) return;
    this.violationRaisedAtMs.set(key, at.getTime());
    const explanation = explainConsentViolation(scope.deviceId ?? 'unknown device', modalities, at);
    const open = scope.stayId
      ? await this.alerts.findOpenForStay(scope.stayId, 'consent_violation')
      : await this.alerts.findOpenForDevice(scope.deviceId!, 'consent_violation');
    if (open) {
      await this.alerts.update(open.id, { explanation, conditionActive: true, at });
      await this.record(open.id, 'updated', at, null, { modalities });
      return;
    }
    const id = await this.alerts.insert({
      kind: 'consent_violation',
      category: 'technical',
      priority: 'medium',
      ...scope,
      wardId: scope.wardId,
      at,
      explanation,
    });
    this.metrics.alertsOpened.inc({ kind: 'consent_violation' });
    await this.record(id, 'opened', at, null, { modalities });
  }

  async deviceOffline(scope: AlertScope & { deviceId: string }, lastSeenAt: Date | null, now: Date): Promise<void> {
    this.offlineDevices.add(scope.deviceId);
    await this.raiseTechnical('device_offline', scope, explainDeviceOffline(scope.deviceId, lastSeenAt, now), now);
  }

  async deviceBack(deviceId: string, at: Date): Promise<void> {
    if (!this.offlineDevices.delete(deviceId)) return;
    await this.clearTechnical('device_offline', deviceId, at);
  }

  /**
   * Opens a technical alert about a device (one per device and kind), or brings back one whose
   * condition had cleared. While its condition lasts, a changed explanation (say, a different
   * reason) is written once; an unchanged one is not written again.
   */
  async raiseTechnical(kind: TechnicalKind, scope: AlertScope & { deviceId: string }, explanation: Explanation, at: Date): Promise<void> {
    if (!scope.wardId) return;
    const open = await this.alerts.findOpenForDevice(scope.deviceId, kind);
    if (open) {
      if (open.conditionActive) {
        if (open.explanation.summary === explanation.summary) return;
        await this.alerts.update(open.id, { explanation, at });
        await this.record(open.id, 'updated', at, null, {});
        return;
      }
      await this.alerts.update(open.id, { conditionActive: true, conditionClearedAt: null, explanation, state: 'firing', at });
      await this.record(open.id, 'reactivated', at, null, {});
      return;
    }
    const id = await this.alerts.insert({
      kind,
      category: 'technical',
      priority: TECHNICAL_PRIORITY[kind],
      ...scope,
      stayId: null,
      wardId: scope.wardId,
      at,
      explanation,
    });
    this.metrics.alertsOpened.inc({ kind });
    await this.record(id, 'opened', at, null, {});
  }

  /** Devices whose alert of `kind` is open with its condition active. */
  devicesWithActiveCondition(kind: TechnicalKind): Promise<string[]> {
    return this.alerts.devicesWithActiveCondition(kind);
  }

  /** The condition of a device's technical alert is over; the alert stays until a person resolves it. */
  async clearTechnical(kind: TechnicalKind, deviceId: string, at: Date): Promise<void> {
    const open = await this.alerts.findOpenForDevice(deviceId, kind);
    if (!open || !open.conditionActive) return;
    await this.alerts.update(open.id, { conditionActive: false, conditionClearedAt: at, at });
    await this.record(open.id, 'condition_cleared', at, null, {});
  }

  async acknowledge(alertId: string, userId: string, at: Date): Promise<AlertRow> {
    const current = await this.alerts.get(alertId);
    if (!current) throw new AlertActionError('not_found', 'No such alert');
    if (!(await this.alerts.acknowledge(alertId, userId, at))) {
      throw new AlertActionError('conflict', `This alert is ${current.state}; only a firing alert can be acknowledged`);
    }
    return this.record(alertId, 'acknowledged', at, userId, {});
  }

  async resolve(alertId: string, userId: string, outcome: Outcome, note: string | null, at: Date): Promise<AlertRow> {
    const current = await this.alerts.get(alertId);
    if (!current) throw new AlertActionError('not_found', 'No such alert');
    if (!(await this.alerts.resolve(alertId, userId, outcome, note, at))) {
      throw new AlertActionError('conflict', 'This alert is already resolved');
    }
    if (current.kind === 'sustained_distress' && current.stayId) {
      const state = this.distressByStay.get(current.stayId);
      if (state) this.distressByStay.set(current.stayId, resetAfterResolution(state));
    }
    return this.record(alertId, 'resolved', at, userId, { outcome });
  }

  /** Stores the event, publishes the alert's new state over SSE, returns it. */
  private async record(
    alertId: string,
    type: string,
    at: Date,
    actorUserId: string | null,
    detail: Record<string, unknown>,
  ): Promise<AlertRow> {
    await this.alerts.addEvent(alertId, type, at, actorUserId, detail);
    const row = (await this.alerts.get(alertId))!;
    this.live.publish('alert', row.wardId, alertToApi(row));
    this.logger.info('alert changed', { alertId, kind: row.kind, type, priority: row.priority, state: row.state });
    await this.refreshOpenGauge();
    return row;
  }

  private async refreshOpenGauge(): Promise<void> {
    const counts = await this.alerts.countOpenByKind();
    for (const kind of Object.keys(ALERT_CATEGORY) as AlertKind[]) {
      this.metrics.alertsOpen.set({ kind }, counts.find((c) => c.kind === kind)?.count ?? 0);
    }
  }
}

function higher(a: Priority, b: Priority): Priority {
  return PRIORITY_RANK[a] >= PRIORITY_RANK[b] ? a : b;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The API shape of an alert (docs/api.md `Alert`). */
export function alertToApi(a: AlertRow) {
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
    updatedAt: a.updatedAt.toISOString(),
    conditionClearedAt: iso(a.conditionClearedAt),
    acknowledgedAt: iso(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy,
    resolvedAt: iso(a.resolvedAt),
    resolvedBy: a.resolvedBy,
    outcome: a.outcome,
    note: a.note,
    explanation: a.explanation,
  };
}
export type ApiAlert = ReturnType<typeof alertToApi>;
