/**
 * The model card's figures, as plain SVG: the alert rule's trade-off between false alerts and
 * detection, and the reliability diagram of the calibrated wearable score.
 */
import type { ReliabilityBin } from '@attune/models/training';
import type { SweepPoint } from './sweep.ts';

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

/** Reliability diagram: mean predicted probability against the observed rate per bin, with counts. */
export function reliabilitySvg(bins: readonly ReliabilityBin[], caption: string): string {
  const w = 480;
  const h = 480;
  const m = { l: 60, r: 20, t: 40, b: 56 };
  const x = (v: number) => m.l + v * (w - m.l - m.r);
  const y = (v: number) => h - m.b - v * (h - m.t - m.b);
  const total = bins.reduce((s, b) => s + b.count, 0);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<title>Reliability diagram: ${caption}</title>`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="20" text-anchor="middle" font-size="14">${caption}</text>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#9e9e9e" stroke-dasharray="4 3"/>`,
    `<line x1="${m.l}" y1="${h - m.b}" x2="${w - m.r}" y2="${h - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${h - m.b}" stroke="black"/>`,
  ];
  for (let t = 0; t <= 1.001; t += 0.2) {
    parts.push(`<text x="${x(t)}" y="${h - m.b + 16}" text-anchor="middle">${t.toFixed(1)}</text>`);
    parts.push(`<text x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end">${t.toFixed(1)}</text>`);
  }
  parts.push(`<text x="${w / 2}" y="${h - 14}" text-anchor="middle">predicted probability (bin mean)</text>`);
  parts.push(`<text transform="translate(16 ${h / 2}) rotate(-90)" text-anchor="middle">observed share of stress windows</text>`);
  for (const b of bins) {
    // Bar height shows the share of windows in the bin (how much each point weighs).
    const share = b.count / total;
    parts.push(
      `<rect x="${x(b.from) + 2}" y="${y(share)}" width="${x(b.to) - x(b.from) - 4}" height="${y(0) - y(share)}" fill="#e3f2fd"/>`,
    );
  }
  parts.push(
    `<polyline fill="none" stroke="#1565c0" stroke-width="2" points="${bins.map((b) => `${x(b.meanPredicted)},${y(b.observedRate)}`).join(' ')}"/>`,
  );
  for (const b of bins) {
    parts.push(
      `<circle cx="${x(b.meanPredicted)}" cy="${y(b.observedRate)}" r="4" fill="#1565c0"><title>${b.count} windows</title></circle>`,
    );
  }
  parts.push(`<text x="${x(0.02)}" y="${m.t + 12}" fill="#546e7a">bars: share of windows per bin</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
