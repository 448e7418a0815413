/**
 * The patient's own neutral face: the face geometry the action units are measured against and the
 * expression probabilities the classifier gives for THIS face at rest. Every face sign Attune
 * reports is a change against it, never the classifier's absolute output: the FER2013 classifier
 * reads many resting older faces as "sad" (0.7 and more), and a slightly smiling face can read
 * "sad 0.73" too, which as an absolute number looked like distress.
 *
 * A baseline is only as good as the moment it was learned in. A patient who grimaces while the
 * camera learns "neutral" would have that grimace scored as zero for the whole stay. So frames are
 * not learned as they arrive: each closed window is vetted as a whole.
 *
 * - With the wearable consented, a window counts only while the wearable says calm: on the wrist,
 *   its own baseline learned, the window vetted calm against that baseline (the test that refreshes
 *   it) and its distress output at most `WEARABLE_CALM_MAX_DISTRESS`.
 * - Without the wearable (not consented), nothing independent says calm, so the face must vouch
 *   for itself: a long (`faceOnlyFramesNeeded`, 2 min by default), unbroken period of a steady,
 *   frontal, eyes-open face whose frames barely differ from their own median (no frame shows a
 *   pain sign against it). A patient who holds one pained face for two minutes would still be
 *   learned as neutral; the model card says so.
 * - Either way the face itself must be steady, frontal, lit and open-eyed in at least
 *   `MIN_STEADY_SHARE` of the window's frames. Any refused window breaks the period being collected,
 *   so a baseline always comes from one unbroken calm stretch.
 *
 * Re-vetting. The first accepted period becomes the baseline at once (a stay should not wait for
 * a second one), but every later vetted period is compared with it:
 * - they agree (neither shows a pain sign against the other, negative affect within
 *   `DISAGREE_NEGATIVE_AFFECT`): the baseline moves a step (`AGREE_BLEND`) towards the new period,
 *   following slow changes of the face over a stay (swelling, dentures out, a nasal cannula);
 * - they disagree and the new period is the calmer one (the current baseline shows pain signs or
 *   more negative affect against the new period, and the wearable was no more aroused): the new
 *   period replaces the baseline outright. The likeliest reason for that disagreement is that the
 *   first period caught a tense but quiet face, and blending would keep half of that tension;
 * - they disagree the other way (the new period looks tenser): the baseline is kept. A vetted calm
 *   window can still hold a tense face (stoic patients), and letting it in would teach the system
 *   to call pain neutral.
 * This is deliberately simple: two periods, one comparison, one direction that wins. It needs no
 * history beyond the current baseline and the period being collected.
 */
import type { WearableObservation } from '../fusion/wearable-part.ts';
import { actionUnits, pspi } from './action-units.ts';
import { EXPRESSION_KEYS, negativeSum, type ExpressionProbabilities, type FrameAnalysis, type PatientFace } from './face-window.ts';
import { MEASURE_KEYS, type FaceMeasures } from './landmarks.ts';
import { clamp01, mean, median } from './statistics.ts';

/**
 * The wearable's distress output (0..1) at or below which a window counts as calm for learning the
 * neutral face: the calibrated model's base rate (`threshold` in models/wearable-distress/weights.json),
 * at or below which the wearable gives no evidence of distress. A patient at their own baseline
 * scores about 0.28.
 */
export const WEARABLE_CALM_MAX_DISTRESS = 0.34;
/** Share of a window's frames that must show a steady, frontal, lit, open-eyed face. */
export const MIN_STEADY_SHARE = 0.8;
/** A frame whose landmarks moved more than this since the last frame (inter-ocular units) is not steady. */
export const STEADY_MAX_MOTION = 0.04;
/** Head turn beyond which a frame does not teach the neutral face, degrees. */
export const STEADY_MAX_YAW_DEG = 15;
/**
 * Eye aspect ratio (lid opening / eye width) below which the eyes count as closed. A face learned
 * with closed eyes (asleep) would make eye tightening and closure unmeasurable for the whole stay.
 * Open adult eyes measure about 0.25-0.35 on the FaceMesh points used; a blink falls below 0.1.
 */
export const EYES_OPEN_MIN_ASPECT = 0.15;
/** PSPI (against the period's own median, or the current baseline) below which a frame shows no pain sign. */
export const NO_PAIN_SIGN_MAX_PSPI = 1;
/** Negative affect (0..1) differing by this much between two periods makes them disagree. */
export const DISAGREE_NEGATIVE_AFFECT = 0.15;
/** How far an agreeing period moves the baseline towards itself (0..1). */
export const AGREE_BLEND = 0.2;
/** Share of a face-only period's frames that must show no pain sign against the period's own median. */
const FACE_ONLY_MIN_QUIET_SHARE = 0.9;

export type NeutralVettedBy = 'wearable_calm' | 'steady_face_only';

export interface NeutralFace {
  measures: FaceMeasures;
  /** Mean expression probabilities of the neutral period. */
  expression: ExpressionProbabilities;
  /** Sum of the negative expressions (sad, angry, fearful, disgusted), 0..1. */
  negativeAffect: number;
  vettedBy: NeutralVettedBy;
  /** Mean wearable distress over the period, 0..1; null when the wearable was not consented. */
  wearableDistress: number | null;
  /** Later vetted periods that agreed with this baseline. */
  periodsAgreeing: number;
  /** Times a later, calmer period replaced the baseline. */
  replacements: number;
}

/** What the wearable said about the window, as fusion saw it. */
export interface CalmEvidence {
  wearableConsented: boolean;
  /** The wearable's window; null when not consented or nothing arrived. */
  wearable: WearableObservation | null;
}

export type VetRefusal =
  'wearable_not_calm' | 'wearable_not_ready' | 'face_unsteady' | 'face_not_seen' | 'pain_signs' | 'face_only_not_quiet';

export type VetResult =
  | { outcome: 'collecting'; framesCollected: number; framesNeeded: number }
  | { outcome: 'accepted' }
  | { outcome: 'agreed' }
  | { outcome: 'replaced' }
  | { outcome: 'kept'; reason: 'new_period_tenser' }
  | { outcome: 'refused'; reason: VetRefusal };

export interface NeutralBaselineOptions {
  /** Steady frames needed for a period vetted by a calm wearable (default 60 = 30 s at 2 fps). */
  framesNeeded: number;
  /** Steady frames needed when no wearable vouches for calm (default 4 x framesNeeded). */
  faceOnlyFramesNeeded?: number;
}

/** The wearable says calm: on the wrist, its own baseline learned, low distress. */
export function wearableSaysCalm(w: WearableObservation | null): { calm: true; distress: number } | { calm: false; reason: VetRefusal } {
  if (!w || w.distress === null || !w.features.onWrist) return { calm: false, reason: 'wearable_not_ready' };
  if (!w.baselineReady) return { calm: false, reason: 'wearable_not_ready' };
  if (w.distress > WEARABLE_CALM_MAX_DISTRESS || w.vettedCalm === false) return { calm: false, reason: 'wearable_not_calm' };
  return { calm: true, distress: w.distress };
}

/** A frame that may teach the neutral face: frontal, lit, still, eyes open. */
export function isSteadyNeutralCandidate(p: PatientFace | null): p is PatientFace {
  return (
    p !== null &&
    p.usable &&
    Math.abs(p.pose.yawDeg) <= STEADY_MAX_YAW_DEG &&
    (p.motion === null || p.motion <= STEADY_MAX_MOTION) &&
    p.measures.eyeOpen >= EYES_OPEN_MIN_ASPECT
  );
}

interface Period {
  measures: FaceMeasures[];
  expressions: ExpressionProbabilities[];
  wearableDistress: number[];
}

const emptyPeriod = (): Period => ({ measures: [], expressions: [], wearableDistress: [] });

export class NeutralFaceBaseline {
  private neutral: NeutralFace | null = null;
  private period: Period = emptyPeriod();
  private readonly faceOnlyFramesNeeded: number;

  constructor(private readonly options: NeutralBaselineOptions) {
    this.faceOnlyFramesNeeded = options.faceOnlyFramesNeeded ?? options.framesNeeded * 4;
  }

  isReady(): boolean {
    return this.neutral !== null;
  }

  current(): NeutralFace | null {
    return this.neutral;
  }

  /** Steady frames collected in the period under way (towards the first baseline or the next re-vetting). */
  progress(): number {
    return this.period.measures.length;
  }

  /**
   * Vets one closed window. `frames` are the window's per-frame analyses (measured against the
   * baseline in force while they arrived); `calm` is what the wearable said about the same window.
   */
  vetWindow(frames: readonly FrameAnalysis[], calm: CalmEvidence): VetResult {
    const refuse = (reason: VetRefusal): VetResult => {
      this.period = emptyPeriod(); // a period is one unbroken calm stretch
      return { outcome: 'refused', reason };
    };
    const faces = frames.map((f) => f.patient);
    if (faces.length === 0 || faces.every((p) => p === null)) return refuse('face_not_seen');
    const steady = faces.filter(isSteadyNeutralCandidate);
    if (steady.length < MIN_STEADY_SHARE * faces.length) return refuse('face_unsteady');

    let wearableDistress: number | null = null;
    if (calm.wearableConsented) {
      const verdict = wearableSaysCalm(calm.wearable);
      if (!verdict.calm) return refuse(verdict.reason);
      wearableDistress = verdict.distress;
    }
    // Against a learned baseline, a frame with a pain sign is not neutral whatever the wearable says.
    if (this.neutral && steady.some((p) => p.pspi !== null && p.pspi >= NO_PAIN_SIGN_MAX_PSPI)) return refuse('pain_signs');

    for (const p of steady) {
      this.period.measures.push({ ...p.measures });
      this.period.expressions.push({ ...p.expression });
    }
    if (wearableDistress !== null) this.period.wearableDistress.push(wearableDistress);

    const needed = calm.wearableConsented ? this.options.framesNeeded : this.faceOnlyFramesNeeded;
    if (this.period.measures.length < needed) {
      return { outcome: 'collecting', framesCollected: this.period.measures.length, framesNeeded: needed };
    }
    const period = this.period;
    this.period = emptyPeriod();
    const vettedBy: NeutralVettedBy = calm.wearableConsented ? 'wearable_calm' : 'steady_face_only';
    const candidate = summarisePeriod(period, vettedBy);
    if (vettedBy === 'steady_face_only' && !quietAgainstItself(period.measures, candidate.measures)) {
      return { outcome: 'refused', reason: 'face_only_not_quiet' };
    }
    return this.compareAndApply(candidate);
  }

  private compareAndApply(candidate: NeutralFace): VetResult {
    const current = this.neutral;
    if (!current) {
      this.neutral = candidate;
      return { outcome: 'accepted' };
    }
    // Pain signs of each face measured against the other: which one is the tenser face?
    const currentShowsPain = pspi(actionUnits(current.measures, candidate.measures)) >= NO_PAIN_SIGN_MAX_PSPI;
    const candidateShowsPain = pspi(actionUnits(candidate.measures, current.measures)) >= NO_PAIN_SIGN_MAX_PSPI;
    const affectDiff = current.negativeAffect - candidate.negativeAffect;
    const agree = !currentShowsPain && !candidateShowsPain && Math.abs(affectDiff) < DISAGREE_NEGATIVE_AFFECT;
    if (agree) {
      this.neutral = blend(current, candidate, AGREE_BLEND);
      return { outcome: 'agreed' };
    }
    const candidateFaceCalmer = !candidateShowsPain && (currentShowsPain || affectDiff >= DISAGREE_NEGATIVE_AFFECT);
    const wearableNoMoreAroused =
      current.wearableDistress === null ||
      candidate.wearableDistress === null ||
      candidate.wearableDistress <= current.wearableDistress + 0.05;
    if (candidateFaceCalmer && wearableNoMoreAroused) {
      this.neutral = { ...candidate, periodsAgreeing: 0, replacements: current.replacements + 1 };
      return { outcome: 'replaced' };
    }
    return { outcome: 'kept', reason: 'new_period_tenser' };
  }

  reset(): void {
    this.neutral = null;
    this.period = emptyPeriod();
  }
}

function summarisePeriod(period: Period, vettedBy: NeutralVettedBy): NeutralFace {
  const measures = Object.fromEntries(MEASURE_KEYS.map((k) => [k, median(period.measures.map((m) => m[k]))])) as unknown as FaceMeasures;
  const expression = Object.fromEntries(
    EXPRESSION_KEYS.map((k) => [k, clamp01(mean(period.expressions.map((e) => e[k])))]),
  ) as ExpressionProbabilities;
  return {
    measures,
    expression,
    negativeAffect: clamp01(negativeSum(expression)),
    vettedBy,
    wearableDistress: period.wearableDistress.length ? mean(period.wearableDistress) : null,
    periodsAgreeing: 0,
    replacements: 0,
  };
}

/** Face-only vetting: almost every frame shows no pain sign against the period's own median face. */
function quietAgainstItself(all: readonly FaceMeasures[], med: FaceMeasures): boolean {
  const quiet = all.filter((m) => pspi(actionUnits(m, med)) < NO_PAIN_SIGN_MAX_PSPI).length;
  return quiet >= FACE_ONLY_MIN_QUIET_SHARE * all.length;
}

function blend(current: NeutralFace, next: NeutralFace, w: number): NeutralFace {
  const measures = Object.fromEntries(
    MEASURE_KEYS.map((k) => [k, current.measures[k] + w * (next.measures[k] - current.measures[k])]),
  ) as unknown as FaceMeasures;
  const expression = Object.fromEntries(
    EXPRESSION_KEYS.map((k) => [k, current.expression[k] + w * (next.expression[k] - current.expression[k])]),
  ) as ExpressionProbabilities;
  return {
    ...current,
    measures,
    expression,
    negativeAffect: clamp01(negativeSum(expression)),
    periodsAgreeing: current.periodsAgreeing + 1,
  };
}
