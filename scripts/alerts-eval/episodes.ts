/**
 * What counts as a false alert and a detected stress period when real recordings are replayed
 * (the definitions are also written in models/wearable-distress/MODEL_CARD.md):
 *
 * - rest: label-0 time that begins at least 3 min after the end of any label-1 period and after the
 *   personal baseline has been learned;
 * - false alert: a sustained-distress alert whose opening falls in rest;
 * - stress period: a contiguous label-1 run of at least 60 s;
 * - detected: an alert opens between the period's start and 2 min after its end;
 * - falseAlertsPerPatientDay = falseAlerts / restHours x 24.
 *
 * Times are seconds from the start of the recording; labels are per second (null: unlabelled).
 */

export const MIN_STRESS_PERIOD_S = 60;
export const REST_AFTER_STRESS_S = 180;
export const DETECTION_GRACE_S = 120;

export interface StressPeriod {
  /** First second of the period. */
  startS: number;
  /** One past its last second. */
  endS: number;
  /** The task's name (by order in the protocol) or `task<N>`. */
  task: string;
}

/** Stress-Predict's protocol runs its three tasks in this order (Iqbal et al. 2022). */
export const STRESS_PREDICT_TASKS = ['stroop', 'interview', 'hyperventilation'] as const;

function labelRuns(labels: readonly (0 | 1 | null)[], label: 0 | 1): { startS: number; endS: number }[] {
  const runs: { startS: number; endS: number }[] = [];
  for (let t = 0; t < labels.length; t++) {
    if (labels[t] !== label) continue;
    const startS = t;
    while (t + 1 < labels.length && labels[t + 1] === label) t++;
    runs.push({ startS, endS: t + 1 });
  }
  return runs;
}

/** Contiguous label-1 runs of at least 60 s, named by their order when there are as many as the protocol's tasks. */
export function stressPeriods(labels: readonly (0 | 1 | null)[], taskNames: readonly string[] = STRESS_PREDICT_TASKS): StressPeriod[] {
  const runs = labelRuns(labels, 1).filter((r) => r.endS - r.startS >= MIN_STRESS_PERIOD_S);
  return runs.map((r, i) => ({ ...r, task: runs.length === taskNames.length ? taskNames[i]! : `task${i + 1}` }));
}

/** Per second: true when it is rest (label 0, after the baseline was learned, 3 min after any label-1 time). */
export function restSeconds(labels: readonly (0 | 1 | null)[], baselineReadyS: number): boolean[] {
  const rest = new Array<boolean>(labels.length).fill(false);
  let lastStressEndS = -Infinity;
  for (let t = 0; t < labels.length; t++) {
    if (labels[t] === 1) {
      lastStressEndS = t + 1;
      continue;
    }
    rest[t] = labels[t] === 0 && t >= baselineReadyS && t >= lastStressEndS + REST_AFTER_STRESS_S;
  }
  return rest;
}

export interface SubjectOutcome {
  restHours: number;
  falseAlerts: number;
  /** Opening times of the false alerts, seconds. */
  falseAlertAtS: number[];
  periods: (StressPeriod & { detected: boolean; timeToAlertS: number | null })[];
}

/**
 * Scores the openings of one recording. An opening is the moment the alert opened (or re-opened
 * after clearing), in seconds from the start; it falls in the second that ends at that moment.
 */
export function scoreOpenings(
  openingsS: readonly number[],
  labels: readonly (0 | 1 | null)[],
  baselineReadyS: number,
  taskNames: readonly string[] = STRESS_PREDICT_TASKS,
): SubjectOutcome {
  const rest = restSeconds(labels, baselineReadyS);
  const second = (atS: number) => Math.max(0, Math.ceil(atS) - 1);
  const falseAlertAtS = openingsS.filter((atS) => rest[second(atS)] === true);
  const periods = stressPeriods(labels, taskNames).map((p) => {
    const first = openingsS.filter((atS) => atS > p.startS && atS <= p.endS + DETECTION_GRACE_S).sort((a, b) => a - b)[0];
    return { ...p, detected: first !== undefined, timeToAlertS: first === undefined ? null : first - p.startS };
  });
  return { restHours: rest.filter(Boolean).length / 3600, falseAlerts: falseAlertAtS.length, falseAlertAtS, periods };
}
