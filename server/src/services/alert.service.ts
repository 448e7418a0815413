/**
 * Turns rule decisions into alerts a nurse sees: one open alert per stay and kind (updated, not
 * duplicated), every change recorded as an alert_event and pushed to dashboards over SSE.
 *
 * Two clinical rules take every stored window of a stay: sustained distress (distress-rule.ts, with
 * the stay's alert sensitivity) and possible pain from the face alone (possible-pain-rule.ts).
 */
import type { ScoreWindow } from '@attune/protocol';
import { DomainError } from '../domain/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { AlertRepository, AlertRow } from '../repositories/alert.repository.ts';
import type { ScoreRepository } from '../repositories/score.repository.ts';
import { SENSITIVITY_TTL_MS, sensitivityEvidence, type StaySensitivity } from '../domain/alert-sensitivity.ts';
import {
  ALERT_CATEGORY,
  PRIORITY_RANK,
  TECHNICAL_PRIORITY,
  type AlertKind,
  type ClinicalRuleKind,
  type Explanation,
  type Outcome,
  type Priority,
  type TechnicalKind,
} from '../domain/alert-types.ts';
import { toRuleWindow, type AlertSensitivity, type DistressDecision } from '../domain/distress-rule.ts';
import { firingAgain } from '../domain/alert-escalation.ts';
import { explainConsentViolation, explainDeviceOffline } from '../domain/technical-explanation.ts';
import type { LiveEvents } from '../platform/live-events.ts';
import { alertToApi } from '../mappers/alert.mapper.ts';
import type { PossiblePainDecision } from '../domain/possible-pain-rule.ts';
import type { ClusterBus } from '../platform/cluster-bus.ts';
import { ClinicalRuleStates, notYetWritten } from './clinical-rule-states.ts';

export interface AlertScope {
  stayId: string | null;
  deviceId: string | null;
  bedId: string | null;
  wardId: string | null;
}

const VIOLATION_REFRESH_MS = 60_000;

/** How far back the rule state is rebuilt from stored windows after a restart. */
const REBUILD_WINDOW_MS = 15 * 60 * 1000;

/** A decision of either clinical rule, as the alert service records it. */
type ClinicalDecision = DistressDecision | PossiblePainDecision;

export class AlertService {
  private readonly rules = new ClinicalRuleStates();
  /** Several instances: resolutions, sensitivity changes and forgotten stays are told to the others. */
  private bus: ClusterBus | null = null;
  /** Devices whose offline alert has its condition active: the only ones a message can clear (kept in memory, off the ingest hot path). */
  private readonly offlineDevices = new Set<string>();

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
   * it should open (or escalate, or clear) is written just after: if the process died in between,
   * the replayed state and the alerts disagree, and the alert is brought in line now. Nothing is
   * lost across a crash or a ward's takeover by another instance.
   */
  async rebuild(scores: ScoreRepository, now: Date, wardId?: string): Promise<Map<string, number>> {
    for (const setting of await this.alerts.sensitivitiesInForce(now)) this.rules.sensitivity.set(setting.stayId, setting);
    const recent = await scores.recentForActiveStays(new Date(now.getTime() - REBUILD_WINDOW_MS), wardId);
    /** The last seq replayed per device: where evaluation of newly stored windows goes on. */
    const lastSeq = new Map<string, number>();
    /** The last decision of each rule and type per stay (`kind:type:stayId`), in the order first made. */
    const made = new Map<string, { decision: ClinicalDecision; scope: AlertScope & { stayId: string } }>();
    for (const { stayId, window, receivedAt, bedId, wardId, afterDistressResolution, afterPainResolution } of recent) {
      const scope = { stayId, deviceId: window.deviceId, bedId, wardId };
      lastSeq.set(window.deviceId, Math.max(window.seq, lastSeq.get(window.deviceId) ?? -Infinity));
      const sensitivity = await this.sensitivityAt(stayId, receivedAt);
      const rules = { distress: afterDistressResolution, pain: afterPainResolution };
      const { distress, pain } = this.rules.take(stayId, wardId, toRuleWindow(window, receivedAt), sensitivity, rules);
      if (distress) made.set(`sustained_distress:${distress.type}:${stayId}`, { decision: distress, scope });
      if (pain) made.set(`possible_pain:${pain.type}:${stayId}`, { decision: pain, scope });
    }
    for (const [key, { decision, scope }] of made) {
      const [kind, type] = key.split(':') as [ClinicalRuleKind, ClinicalDecision['type']];
      const active = (kind === 'sustained_distress' ? this.rules.distress : this.rules.pain).get(scope.stayId)?.active;
      // A nurse resolved it while this ran: the rule starts again, nothing is written (no second alert).
      if (await this.alerts.resolvedSince(scope.stayId, kind, now)) {
        this.rules.resetAfterResolution(kind, scope.stayId);
        continue;
      }
      const open = await this.alerts.findOpenForStay(scope.stayId, kind);
      if (!notYetWritten(type, decision, active != null, open)) continue;
      this.logger.warn('writing what stored windows called for (the process stopped before writing it)', {
        stayId: scope.stayId,
        kind,
        type,
      });
      await this.applyClinicalDecision(kind, scope, decision);
    }
    await this.refreshOfflineDevices();
    await this.refreshOpenGauge();
    return lastSeq;
  }

  /** Several instances (docs/scale-out.md): rule-state changes made here reach the ward's evaluator. */
  shareThrough(bus: ClusterBus): void {
    this.bus = bus;
    this.rules.applyFrom(bus);
  }

  /** This instance gave the ward up: its stays' rule state goes (the next owner rebuilds it). */
  forgetWard(wardId: string): void {
    for (const stayId of this.rules.staysOfWard(wardId)) this.rules.forgetStay(stayId);
  }

  /** Devices with an active offline alert, re-read every few seconds with several instances (another may raise it). */
  async refreshOfflineDevices(): Promise<void> {
    const active = await this.alerts.devicesWithActiveCondition('device_offline');
    this.offlineDevices.clear();
    for (const deviceId of active) this.offlineDevices.add(deviceId);
  }

  /** Forgets a stay's rule state (discharge, or its data was erased): nothing of it is kept in memory. */
  forgetStay(stayId: string): void {
    this.rules.forgetStay(stayId);
    this.bus?.send({ type: 'stay_forgotten', stayId });
  }

  async onScoreWindow(scope: AlertScope & { stayId: string; wardId: string | null }, window: ScoreWindow, receivedAt: Date): Promise<void> {
    const sensitivity = await this.sensitivityAt(scope.stayId, receivedAt);
    const undo = this.rules.snapshot(scope.stayId);
    const { distress, pain } = this.rules.take(scope.stayId, scope.wardId, toRuleWindow(window, receivedAt), sensitivity);
    // A decision not written puts its rule back (and any after it), so taking the window again
    // (a retry, the ward's sweep) writes it instead of counting the window as seen.
    try {
      if (distress) await this.applyClinicalDecision('sustained_distress', scope, distress);
    } catch (error) {
      undo.distress();
      undo.pain();
      throw error;
    }
    try {
      if (pain) await this.applyClinicalDecision('possible_pain', scope, pain);
    } catch (error) {
      undo.pain();
      throw error;
    }
  }

  private sensitivityAt(stayId: string, at: Date): Promise<StaySensitivity | null> {
    return this.rules.sensitivityAt(stayId, at, (id) => this.alerts.staySensitivity(id));
  }

  /** The stay's alert sensitivity in force now, for the board and the API (null: standard). */
  currentSensitivity(stayId: string, now: Date): Promise<StaySensitivity | null> {
    return this.sensitivityAt(stayId, now);
  }

  /**
   * A charge nurse sets a stay's alert sensitivity: stored with its reason, in force for 24 h, and
   * used from the next window on. The caller checks the role and the stay, and audits.
   */
  async setSensitivity(stayId: string, sensitivity: AlertSensitivity, reason: string, userId: string, at: Date): Promise<StaySensitivity> {
    const setting = await this.alerts.setStaySensitivity({
      stayId,
      sensitivity,
      reason,
      setByUserId: userId,
      setAt: at,
      expiresAt: new Date(at.getTime() + SENSITIVITY_TTL_MS),
    });
    this.rules.sensitivity.set(stayId, setting);
    this.bus?.send({ type: 'sensitivity_changed', stayId });
    return setting;
  }

  /**
   * Records a clinical rule's decision on the stay's one open alert of that kind. A distress alert
   * also says which alert sensitivity was in force, when one was set.
   */
  private async applyClinicalDecision(
    kind: ClinicalRuleKind,
    scope: AlertScope & { stayId: string },
    decision: ClinicalDecision,
  ): Promise<void> {
    if (!scope.wardId) return;
    let d = decision;
    if (kind === 'sustained_distress') {
      const sensitivity = await this.sensitivityAt(scope.stayId, d.at);
      if (sensitivity)
        d = { ...d, explanation: { ...d.explanation, evidence: [...d.explanation.evidence, sensitivityEvidence(sensitivity)] } };
    }
    const open = await this.alerts.findOpenForStay(scope.stayId, kind);
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
          ...firingAgain(open.state, d.at),
          at: d.at,
        });
        await this.record(open.id, 'reactivated', d.at, null, { priority });
        return;
      }
      const id = await this.alerts.insert({
        kind,
        category: ALERT_CATEGORY[kind],
        priority: d.priority,
        wardId: scope.wardId,
        bedId: scope.bedId,
        stayId: scope.stayId,
        deviceId: scope.deviceId,
        at: d.at,
        explanation: d.explanation,
      });
      // Null: open already (only an instance still evaluating a ward it has just lost meets this).
      if (id === null) return this.logger.warn('alert already open for this stay; not opened twice', { stayId: scope.stayId, kind });
      this.metrics.alertsOpened.inc({ kind });
      await this.record(id, 'opened', d.at, null, { priority: d.priority });
      return;
    }
    if (!open) return; // resolved by a nurse meanwhile; the rule was reset then
    if (d.type === 'escalate') {
      // A higher priority re-alerts even if the previous level was acknowledged.
      await this.alerts.update(open.id, {
        priority: d.priority,
        explanation: d.explanation,
        state: 'firing',
        ...firingAgain(open.state, d.at),
        at: d.at,
      });
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
    const lastMs = this.rules.violationRaisedAtMs.get(key);
    if (lastMs !== undefined && at.getTime() - lastMs < VIOLATION_REFRESH_MS) return;
    this.rules.violationRaisedAtMs.set(key, at.getTime());
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
    if (id === null) return; // opened meanwhile by another instance's message
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
      await this.alerts.update(open.id, {
        conditionActive: true,
        conditionClearedAt: null,
        explanation,
        state: 'firing',
        ...firingAgain(open.state, at),
        at,
      });
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
    if (id === null) return; // opened meanwhile by another instance
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
    if (!current) throw new DomainError('not_found', 'No such alert');
    if (!(await this.alerts.acknowledge(alertId, userId, at))) {
      throw new DomainError('conflict', `This alert is ${current.state}; only a firing alert can be acknowledged`);
    }
    return this.record(alertId, 'acknowledged', at, userId, {});
  }

  async resolve(alertId: string, userId: string, outcome: Outcome, note: string | null, at: Date): Promise<AlertRow> {
    const current = await this.alerts.get(alertId);
    if (!current) throw new DomainError('not_found', 'No such alert');
    if (!(await this.alerts.resolve(alertId, userId, outcome, note, at))) {
      throw new DomainError('conflict', 'This alert is already resolved');
    }
    if (current.stayId) {
      this.rules.resetAfterResolution(current.kind, current.stayId);
      this.bus?.send({ type: 'alert_resolved', stayId: current.stayId, kind: current.kind });
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
