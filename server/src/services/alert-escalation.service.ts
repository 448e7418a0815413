/**
 * Escalates alerts nobody acknowledges (the decision is domain/alert-escalation.ts). Run by the
 * scheduler every few seconds; all state is in the alert rows, so a restarted server carries on
 * from the levels stored, and the conditional update in the repository records each level once
 * even if two servers (or two runs) race for it.
 */
import { escalationCheckEveryMs, MAX_ESCALATION_LEVEL, nextEscalation, type EscalateAfterS } from '../domain/alert-escalation.ts';
import { alertToApi } from '../mappers/alert.mapper.ts';
import type { LiveEvents } from '../platform/live-events.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { Job } from '../platform/scheduler.ts';
import type { AlertRepository } from '../repositories/alert.repository.ts';

export class AlertEscalationService {
  constructor(
    private readonly deps: { alerts: AlertRepository; live: LiveEvents; metrics: Metrics; logger: Logger },
    private readonly afterS: EscalateAfterS,
  ) {}

  /** The scheduler's job: a failing run is logged there and, if it keeps failing, fails /readyz. */
  job(): Job {
    return { name: 'alert-escalation', everyMs: escalationCheckEveryMs(this.afterS), run: (now) => this.check(now) };
  }

  /**
   * Raises every alert whose next level is due by one level. One alert's failure does not keep the
   * others from escalating; the run still fails afterwards, so the failure is logged and counted.
   */
  async check(now: Date): Promise<void> {
    const candidates = await this.deps.alerts.escalationCandidates(['high', 'medium'], MAX_ESCALATION_LEVEL);
    const failures: unknown[] = [];
    for (const alert of candidates) {
      const step = nextEscalation(alert, this.afterS, now);
      if (!step) continue;
      try {
        const raised = await this.deps.alerts.escalate(
          alert.id,
          { fromLevel: alert.escalationLevel, firingSince: alert.firingSince },
          now,
          step,
        );
        if (!raised) continue; // acknowledged, fired again or escalated elsewhere meanwhile
        const row = await this.deps.alerts.get(alert.id);
        if (!row) continue;
        this.deps.metrics.alertEscalations.inc({ priority: row.priority, level: String(step.level) });
        this.deps.live.publish('alert', row.wardId, alertToApi(row));
        this.deps.live.publish('escalation', row.wardId, {
          alertId: row.id,
          wardId: row.wardId,
          bedId: row.bedId,
          bedLabel: row.bedLabel,
          kind: row.kind,
          priority: row.priority,
          level: step.level,
          unacknowledgedS: step.unacknowledgedS,
        });
        this.deps.logger.warn('alert escalated: still unacknowledged', {
          alertId: row.id,
          kind: row.kind,
          priority: row.priority,
          level: step.level,
          unacknowledgedS: step.unacknowledgedS,
        });
      } catch (error) {
        failures.push(error);
        this.deps.logger.error('alert escalation failed for one alert', { alertId: alert.id, error: String(error) });
      }
    }
    if (failures.length > 0) throw new Error(`${failures.length} of ${candidates.length} alert escalations failed: ${String(failures[0])}`);
  }
}
