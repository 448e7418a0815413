/**
 * The trade-off between false alerts and detection over the rule's parameters (`--sweep`): every
 * combination of allowance and opening evidence is run on the same replayed windows (the replay is
 * the slow part and does not depend on the rule), and the Pareto front is drawn as an SVG for the
 * model card.
 */
import type { DistressRuleConfig } from '@attune/server/distress-rule';
import { alertFigures, runSubjects } from './evaluation.ts';
import type { ReplayedSubject } from './main.ts';

export const SWEEP_ALLOWANCES = [0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2];
export const SWEEP_OPEN_EVIDENCE = [10, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450];

export interface SweepPoint {
  rule: Pick<DistressRuleConfig, 'allowanceLogOdds' | 'openEvidence'>;
  falseAlerts: number;
  falseAlertsPerPatientDay: number;
  detected: number;
  sensitivity: number;
  medianTimeToAlertS: number | null;
  /** No other point has fewer (or equal) false alerts and higher (or equal) sensitivity, one of them strictly. */
  pareto: boolean;
}

export function sweepRule(replayed: readonly ReplayedSubject[], resolveAfterS: number): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (const allowanceLogOdds of SWEEP_ALLOWANCES) {
    for (const openEvidence of SWEEP_OPEN_EVIDENCE) {
      // Priority does not change when alerts open; high at twice the opening evidence, as the profiles use.
      const rule = { allowanceLogOdds, openEvidence, highEvidence: 2 * openEvidence };
      const f = alertFigures(runSubjects(replayed, { resolveAfterS, rule }));
      points.push({
        rule: { allowanceLogOdds, openEvidence },
        falseAlerts: f.falseAlerts,
        falseAlertsPerPatientDay: Math.round(f.falseAlertsPerPatientDay * 100) / 100,
        detected: f.detected,
        sensitivity: Math.round(f.sensitivity * 1000) / 1000,
        medianTimeToAlertS: f.medianTimeToAlertS,
        pareto: false,
      });
    }
  }
  for (const p of points) {
    p.pareto = !points.some(
      (q) =>
        q.falseAlerts <= p.falseAlerts &&
        q.sensitivity >= p.sensitivity &&
        (q.falseAlerts < p.falseAlerts || q.sensitivity > p.sensitivity),
    );
  }
  return points;
}
