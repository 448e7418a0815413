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

/** An SVG scatter of false alerts per patient-day against sensitivity, the Pareto front joined, chosen points labelled. */
export function tradeOffSvg(
  points: readonly SweepPoint[],
  marks: readonly { label: string; point: SweepPoint }[],
  goal = { perDay: 1, sensitivity: 0.5 },
): string {
  const w = 640;
  const h = 420;
  const m = { l: 64, r: 20, t: 36, b: 52 };
  const maxX = Math.max(goal.perDay * 2, ...points.map((p) => p.falseAlertsPerPatientDay)) * 1.05;
  const maxY = Math.max(goal.sensitivity, ...points.map((p) => p.sensitivity)) * 1.1;
  const x = (v: number) => m.l + (v / maxX) * (w - m.l - m.r);
  const y = (v: number) => h - m.b - (v / maxY) * (h - m.t - m.b);
  const front = points.filter((p) => p.pareto).sort((a, b) => a.falseAlertsPerPatientDay - b.falseAlertsPerPatientDay);
  const ticks = (max: number, n: number) => Array.from({ length: n + 1 }, (_, i) => (max / n) * i);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<title>False alerts per patient-day of rest against the share of stress periods detected, over the rule's parameters</title>`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="20" text-anchor="middle" font-size="14">Sustained-distress rule on Stress-Predict, leave-subject-out replay</text>`,
    // Goal region: at most goal.perDay false alerts and at least goal.sensitivity detected.
    `<rect x="${x(0)}" y="${y(maxY)}" width="${x(goal.perDay) - x(0)}" height="${y(goal.sensitivity) - y(maxY)}" fill="#e6f4ea" stroke="#2e7d32" stroke-dasharray="4 3"/>`,
    `<text x="${x(0) + 4}" y="${y(maxY) + 14}" fill="#2e7d32">goal</text>`,
    `<line x1="${m.l}" y1="${h - m.b}" x2="${w - m.r}" y2="${h - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${h - m.b}" stroke="black"/>`,
  ];
  for (const t of ticks(maxX, 5)) parts.push(`<text x="${x(t)}" y="${h - m.b + 16}" text-anchor="middle">${t.toFixed(1)}</text>`);
  for (const t of ticks(maxY, 5)) parts.push(`<text x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end">${Math.round(t * 100)}%</text>`);
  parts.push(`<text x="${w / 2}" y="${h - 12}" text-anchor="middle">false alerts per patient-day of rest</text>`);
  parts.push(`<text transform="translate(16 ${h / 2}) rotate(-90)" text-anchor="middle">stress periods detected</text>`);
  for (const p of points) parts.push(`<circle cx="${x(p.falseAlertsPerPatientDay)}" cy="${y(p.sensitivity)}" r="3" fill="#90a4ae"/>`);
  parts.push(
    `<polyline fill="none" stroke="#1565c0" stroke-width="2" points="${front.map((p) => `${x(p.falseAlertsPerPatientDay)},${y(p.sensitivity)}`).join(' ')}"/>`,
  );
  for (const { label, point } of marks) {
    parts.push(`<circle cx="${x(point.falseAlertsPerPatientDay)}" cy="${y(point.sensitivity)}" r="5" fill="#c62828"/>`);
    parts.push(`<text x="${x(point.falseAlertsPerPatientDay) + 8}" y="${y(point.sensitivity) - 6}">${label}</text>`);
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
