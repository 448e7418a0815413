/**
 * Turns replayed recordings into the alert evaluation's figures: false alerts per patient-day of
 * rest, detected stress periods (overall, per task and per subject), median time to alert, and
 * whether the wearable score is a probability (Brier against the base rate, ECE, AUC).
 */
import type { DistressRuleConfig } from '@attune/server/distress-rule';
import { auc, baseRateBrier, brierScore, expectedCalibrationError, reliabilityBins, type ReliabilityBin } from '@attune/models/training';
import { scoreOpenings, type SubjectOutcome } from './episodes.ts';
import type { ReplayedSubject } from './main.ts';
import { runRule, type AlertOpening } from './replay.ts';
import { median, poissonInterval95 } from './statistics.ts';

export interface SubjectFigures {
  subject: string;
  scoredBy: ReplayedSubject['scoredBy'];
  auc: number | null;
  restHours: number;
  falseAlerts: number;
  stressPeriods: number;
  detected: number;
  /** Time to alert of each detected period, seconds. */
  timeToAlertS: number[];
  /** The subject's signals while the baseline was learned: what kind of patient this is. */
  restingHrBpm: number | null;
  restingSclUs: number | null;
  restingScrPerMin: number | null;
  /** Mean fused confidence of the windows after the baseline. */
  meanConfidence: number | null;
}

export interface AlertEvaluation {
  subjects: number;
  restHours: number;
  falseAlerts: number;
  falseAlertsPerPatientDay: number;
  falseAlertsPerPatientDayCi95: [number, number];
  stressPeriods: number;
  detected: number;
  sensitivity: number;
  medianTimeToAlertS: number | null;
  perTask: Record<string, { periods: number; detected: number }>;
  alertsByPriority: Record<string, number>;
  brier: number;
  brierBaseRate: number;
  ece: number;
  auc: number;
  reliability: ReliabilityBin[];
  scoredBy: Record<string, number>;
  resolveAfterS: number;
  rule: Partial<DistressRuleConfig>;
  perSubject: SubjectFigures[];
}

export interface EvaluateOptions {
  resolveAfterS: number;
  rule?: Partial<DistressRuleConfig>;
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: readonly number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Label of a window when every second of it carries the same label. */
function windowLabel(labels: readonly (0 | 1 | null)[], startS: number, endS: number): 0 | 1 | null {
  const first = labels[Math.floor(startS)] ?? null;
  for (let t = Math.floor(startS); t < Math.ceil(endS); t++) if ((labels[t] ?? null) !== first) return null;
  return first;
}

/** Seconds from the start at which the personal baseline was learned (Infinity if never). */
export function baselineReadyS(subject: ReplayedSubject): number {
  return subject.windows.find((w) => w.baselineReady)?.endS ?? Infinity;
}

export interface SubjectRun {
  subject: ReplayedSubject;
  openings: AlertOpening[];
  outcome: SubjectOutcome;
}

/** Runs the rule for every subject and scores the openings (the fast part: the sweep repeats only this). */
export function runSubjects(replayed: readonly ReplayedSubject[], options: EvaluateOptions): SubjectRun[] {
  return replayed.map((subject) => {
    const openings = runRule(subject.windows, options.rule ?? {}, options.resolveAfterS);
    return {
      subject,
      openings,
      outcome: scoreOpenings(
        openings.map((o) => o.atS),
        subject.labels,
        baselineReadyS(subject),
      ),
    };
  });
}

/** The headline figures of a set of runs (no probability measures: those do not depend on the rule). */
export function alertFigures(runs: readonly SubjectRun[]) {
  const restHours = runs.reduce((s, r) => s + r.outcome.restHours, 0);
  const falseAlerts = runs.reduce((s, r) => s + r.outcome.falseAlerts, 0);
  const periods = runs.flatMap((r) => r.outcome.periods);
  const detected = periods.filter((p) => p.detected).length;
  const perDay = (n: number) => (restHours > 0 ? (n / restHours) * 24 : Number.NaN);
  const [lo, hi] = poissonInterval95(falseAlerts);
  const perTask: Record<string, { periods: number; detected: number }> = {};
  for (const p of periods) {
    const t = (perTask[p.task] ??= { periods: 0, detected: 0 });
    t.periods++;
    if (p.detected) t.detected++;
  }
  return {
    restHours,
    falseAlerts,
    falseAlertsPerPatientDay: perDay(falseAlerts),
    falseAlertsPerPatientDayCi95: [perDay(lo), perDay(hi)] as [number, number],
    stressPeriods: periods.length,
    detected,
    sensitivity: periods.length > 0 ? detected / periods.length : Number.NaN,
    medianTimeToAlertS: median(periods.flatMap((p) => (p.timeToAlertS === null ? [] : [p.timeToAlertS]))),
    perTask,
  };
}

export function evaluateWindows(replayed: readonly ReplayedSubject[], options: EvaluateOptions): AlertEvaluation {
  const runs = runSubjects(replayed, options);
  const figures = alertFigures(runs);
  const probabilities: number[] = [];
  const outcomes: (0 | 1)[] = [];
  const perSubject: SubjectFigures[] = runs.map(({ subject, openings: _openings, outcome }) => {
    const readyS = baselineReadyS(subject);
    const scores: number[] = [];
    const labels: (0 | 1)[] = [];
    const confidences: number[] = [];
    for (const w of subject.windows) {
      if (w.startS < readyS) continue;
      confidences.push(w.rule.confidence);
      const label = windowLabel(subject.labels, w.startS, w.endS);
      if (label === null || w.wearableDistress === null) continue;
      scores.push(w.wearableDistress);
      labels.push(label);
    }
    probabilities.push(...scores);
    outcomes.push(...labels);
    const learning = subject.windows.filter((w) => w.endS <= readyS && w.rule.wearable?.onWrist);
    const restingMean = (pick: (w: (typeof learning)[number]) => number | null | undefined) => {
      const m = mean(learning.flatMap((w) => (pick(w) == null ? [] : [pick(w)!])));
      return m === null ? null : round(m, 2);
    };
    const subjectAuc = auc(scores, labels);
    return {
      subject: subject.subject,
      scoredBy: subject.scoredBy,
      auc: Number.isFinite(subjectAuc) ? round(subjectAuc) : null,
      restHours: round(outcome.restHours),
      falseAlerts: outcome.falseAlerts,
      stressPeriods: outcome.periods.length,
      detected: outcome.periods.filter((p) => p.detected).length,
      timeToAlertS: outcome.periods.flatMap((p) => (p.timeToAlertS === null ? [] : [p.timeToAlertS])),
      restingHrBpm: restingMean((w) => w.rule.wearable?.hrBpm),
      restingSclUs: restingMean((w) => w.rule.wearable?.sclUs),
      restingScrPerMin: restingMean((w) => w.rule.wearable?.scrPerMin),
      meanConfidence: mean(confidences) === null ? null : round(mean(confidences)!, 3),
    };
  });
  const alertsByPriority: Record<string, number> = {};
  for (const o of runs.flatMap((r) => r.openings)) alertsByPriority[o.priority] = (alertsByPriority[o.priority] ?? 0) + 1;
  const scoredBy: Record<string, number> = {};
  for (const s of replayed) scoredBy[s.scoredBy] = (scoredBy[s.scoredBy] ?? 0) + 1;
  return {
    subjects: replayed.length,
    restHours: round(figures.restHours, 3),
    falseAlerts: figures.falseAlerts,
    falseAlertsPerPatientDay: round(figures.falseAlertsPerPatientDay, 2),
    falseAlertsPerPatientDayCi95: figures.falseAlertsPerPatientDayCi95.map((x) => round(x, 2)) as [number, number],
    stressPeriods: figures.stressPeriods,
    detected: figures.detected,
    sensitivity: round(figures.sensitivity, 3),
    medianTimeToAlertS: figures.medianTimeToAlertS,
    perTask: figures.perTask,
    alertsByPriority,
    brier: round(brierScore(probabilities, outcomes)),
    brierBaseRate: round(baseRateBrier(outcomes)),
    ece: round(expectedCalibrationError(probabilities, outcomes)),
    auc: round(auc(probabilities, outcomes)),
    reliability: reliabilityBins(probabilities, outcomes).map((b) => ({
      ...b,
      meanPredicted: round(b.meanPredicted),
      observedRate: round(b.observedRate),
    })),
    scoredBy,
    resolveAfterS: options.resolveAfterS,
    rule: options.rule ?? {},
    perSubject,
  };
}
