/**
 * The possible-pain rule: a pure state machine per stay, fed every stored score window, that raises
 * a medium-priority alert when the patient's face alone has shown pain signs for a sustained time.
 *
 * Why a rule of its own. When the wearable is observed, the sustained-distress rule
 * (distress-rule.ts) judges the fused evidence of face and body. When it is not (not consented,
 * off the wrist, no usable signal), a grimacing patient would otherwise raise nothing. Face
 * evidence alone is weaker evidence (talking, yawning, poor light and head pose all move faces),
 * so this rule never raises more than medium priority (IEC 60601-1-8) and its explanation says
 * that it rests on the face alone.
 *
 * Opening: every window of a run lasting `openSustainS` (60 s) must show pain signs confidently
 * (`faceShowsPain`): the face visible in at least `minFaceVisibleFraction` of frames with no
 * reason from the agent to doubt it (`quality.unobserved`, `quality.unobservedReasons.face`), the PAINAD
 * face item at least `minPainadFace` or PSPI at least `minPspi`, and the window carries no
 * confident wearable evidence (`wearableObserved`). Any other window breaks the run: a low-quality
 * window is not tolerated, because an alert must rest on what the camera actually saw.
 *
 * Clearing: a run of `clearSustainS` (120 s) of windows in which the face is visible and shows no
 * pain signs (`faceWithoutPain`). A face the camera cannot see, or whose pain signs could not be
 * scored, counts toward neither run: a patient is not called settled when nobody could look.
 * Windows between the two (say, pain signs while the wearable is observed) neither open nor clear.
 *
 * While active, at most one 'update' per `updateIntervalS` (from the last decision), with a
 * refreshed explanation and the peaks so far. After 'clear' the rule is idle; a later 'open' before
 * a nurse resolved the alert is for the caller to record as a reactivation of the same alert.
 *
 * Order and time follow distress-rule.ts exactly. Windows are taken in each device's `seq` order: a
 * window whose seq is not after the last one seen from the same device is ignored. Durations are
 * measured on the rule's own clock, which advances by each window's length plus any gap of at most
 * `maxGapS` before it, so no device timestamp can stop the rule: a clock that jumps, a silent
 * device, or a window from another device (a transfer) only breaks the runs, like a gap. Decisions
 * are stamped with the server's receive time. The state is plain JSON (times in milliseconds).
 */
import type { FaceBlock, Quality } from '@attune/protocol';
import type { Explanation, Priority } from './alert-types.ts';
import { countsAsDistressEvidence, DEFAULT_DISTRESS_RULE, type RuleWindow } from './distress-rule.ts';
import { explainPossiblePain, type PossiblePainEpisode } from './possible-pain-explanation.ts';
import { takeOnRuleClock } from './rule-clock.ts';

export interface PossiblePainRuleConfig {
  /** PAINAD face item (0 relaxed, 1 sad/frightened/frown, 2 grimacing) at or above which a window shows pain signs. */
  minPainadFace: 1 | 2;
  /** PSPI (0..16, relative to the patient's neutral face) at or above which a window shows pain signs. */
  minPspi: number;
  /** Fraction of the window's frames with the face found, 0..1, below which the window tells nothing about the face. */
  minFaceVisibleFraction: number;
  /** Length of the run of face-only pain signs that opens the alert, seconds. */
  openSustainS: number;
  /** Length of the run of a visible face without pain signs that clears the condition, seconds. */
  clearSustainS: number;
  /** A larger gap between windows breaks every run, seconds. */
  maxGapS: number;
  /** Minimum time between decisions while active before another 'update', seconds. */
  updateIntervalS: number;
}

/** The one place these thresholds live; the face path's owners adjust them here. */
export const DEFAULT_POSSIBLE_PAIN_RULE: Readonly<PossiblePainRuleConfig> = Object.freeze({
  // PAINAD 1 includes "looks upset" (affect, not a pain sign): face evidence alone needs a grimace or PSPI.
  minPainadFace: 2,
  minPspi: 3,
  minFaceVisibleFraction: 0.6,
  openSustainS: 60,
  clearSustainS: 120,
  maxGapS: 15,
  updateIntervalS: 60,
});

/** Face evidence alone never raises more than this (the architecture's rule for face-only alerts). */
export const POSSIBLE_PAIN_PRIORITY: Priority = 'medium';

/** The parts of a score window the rule reads: the same view as the distress rule's. */
export type PossiblePainWindow = RuleWindow;

export type PossiblePainDecisionType = 'open' | 'update' | 'clear';

export interface PossiblePainDecision {
  type: PossiblePainDecisionType;
  /** Always POSSIBLE_PAIN_PRIORITY. */
  priority: Priority;
  explanation: Explanation;
  at: Date;
}

/** A run of consecutive windows of one kind, on the rule clock (milliseconds), with the peaks of the face signs. */
export interface PainRun {
  startMs: number;
  endMs: number;
  peakPspi: number | null;
  peakPainadFace: 0 | 1 | 2 | null;
}

export interface ActivePossiblePain {
  /** Start of the first window of the run that opened the alert. */
  startMs: number;
  /** End of the latest window that showed face-only pain signs. */
  lastPainEndMs: number;
  peakPspi: number | null;
  peakPainadFace: 0 | 1 | 2 | null;
  /** End of the window behind the last decision. */
  lastDecisionMs: number;
}

export interface PossiblePainState {
  v: 1;
  last: { deviceId: string; seq: number; windowEndMs: number } | null;
  /** The rule clock: the accumulated time of the windows taken, milliseconds. */
  clockMs: number;
  painRun: PainRun | null;
  calmRun: PainRun | null;
  active: ActivePossiblePain | null;
}

export function initialPossiblePainState(): PossiblePainState {
  return { v: 1, last: null, clockMs: 0, painRun: null, calmRun: null, active: null };
}

/**
 * The agent's reason the face was not observed, or observed without usable evidence (poor light,
 * turned away, neutral face still being learned, ...). Read structurally: agents older than the
 * reason codes send none.
 */
const faceUnobservedReason = (quality: Quality & { unobservedReasons?: { face?: string } }) => quality.unobservedReasons?.face;

/** Whether the face was seen well enough in this window for its signs to count either way. */
function faceVisible(w: PossiblePainWindow, cfg: PossiblePainRuleConfig): w is PossiblePainWindow & { face: FaceBlock } {
  return (
    w.face !== undefined &&
    Number.isFinite(w.face.faceVisibleFraction) &&
    w.face.faceVisibleFraction >= cfg.minFaceVisibleFraction &&
    !w.quality.unobserved.includes('face') &&
    !w.quality.unobserved.includes('pain_face') &&
    faceUnobservedReason(w.quality) === undefined
  );
}

/**
 * Whether the window carries wearable evidence the sustained-distress rule can judge: a wristband on
 * the wrist, with a distress output, over enough of the window. Then the face is not alone.
 */
/**
 * Whether the window's wearable evidence is counted by the sustained-distress rule (confident, with a
 * wearable estimate): then that rule handles the window, and face signs add to its fused distress.
 */
export function wearableObserved(w: PossiblePainWindow): boolean {
  return countsAsDistressEvidence(w, DEFAULT_DISTRESS_RULE.minConfidence);
}

function painSigns(face: FaceBlock, cfg: PossiblePainRuleConfig): boolean {
  return (face.painadFace !== null && face.painadFace >= cfg.minPainadFace) || (face.pspi !== null && face.pspi >= cfg.minPspi);
}

/** A window that counts toward opening: pain signs, confidently seen, on the face alone. */
export function faceShowsPain(w: PossiblePainWindow, cfg: PossiblePainRuleConfig = DEFAULT_POSSIBLE_PAIN_RULE): boolean {
  return faceVisible(w, cfg) && painSigns(w.face, cfg) && !wearableObserved(w);
}

/** A window that counts toward clearing: the face visible, its PAINAD item scored, and no pain sign. */
export function faceWithoutPain(w: PossiblePainWindow, cfg: PossiblePainRuleConfig = DEFAULT_POSSIBLE_PAIN_RULE): boolean {
  return faceVisible(w, cfg) && w.face.painadFace !== null && !painSigns(w.face, cfg);
}

const runLengthMs = (run: PainRun | null) => (run === null ? 0 : run.endMs - run.startMs);

function maxOrNull<T extends number>(a: T | null, b: T | null): T | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}

function advanceRun(
  run: PainRun | null,
  qualifies: boolean,
  followsOn: boolean,
  startMs: number,
  endMs: number,
  face: FaceBlock | undefined,
): PainRun | null {
  if (!qualifies) return null;
  const pspi = face?.pspi ?? null;
  const painad = face?.painadFace ?? null;
  if (run !== null && followsOn) {
    return { startMs: run.startMs, endMs, peakPspi: maxOrNull(run.peakPspi, pspi), peakPainadFace: maxOrNull(run.peakPainadFace, painad) };
  }
  return { startMs, endMs, peakPspi: pspi, peakPainadFace: painad };
}

function episode(
  durationMs: number,
  peaks: { peakPspi: number | null; peakPainadFace: 0 | 1 | 2 | null },
  cfg: PossiblePainRuleConfig,
  calmForMs?: number,
): PossiblePainEpisode {
  return {
    durationS: Math.round(durationMs / 1000),
    peakPspi: peaks.peakPspi,
    peakPainadFace: peaks.peakPainadFace,
    minPspi: cfg.minPspi,
    minPainadFace: cfg.minPainadFace,
    minFaceVisibleFraction: cfg.minFaceVisibleFraction,
    calmForS: calmForMs === undefined ? null : Math.round(calmForMs / 1000),
  };
}

/**
 * Feeds one window to the rule. Returns the next state (the input is not modified) and at most one
 * decision. Ignores a window whose seq is not after the last one from the same device, and windows
 * with invalid times.
 */
export function evaluatePossiblePainWindow(
  state: PossiblePainState,
  window: PossiblePainWindow,
  config: Partial<PossiblePainRuleConfig> = {},
): { state: PossiblePainState; decision: PossiblePainDecision | null } {
  const cfg: PossiblePainRuleConfig = { ...DEFAULT_POSSIBLE_PAIN_RULE, ...config };
  const taken = takeOnRuleClock(state, window, cfg.maxGapS);
  if (taken === null) return { state, decision: null };
  const { startMs, endMs, followsOn, next } = taken;

  const showsPain = faceShowsPain(window, cfg);
  next.painRun = advanceRun(state.painRun, showsPain, followsOn, startMs, endMs, window.face);
  next.calmRun = advanceRun(state.calmRun, faceWithoutPain(window, cfg), followsOn, startMs, endMs, window.face);

  const at = window.receivedAt;
  const priority = POSSIBLE_PAIN_PRIORITY;
  const active = next.active;

  if (active === null) {
    const run = next.painRun;
    if (run === null || runLengthMs(run) < cfg.openSustainS * 1000) return { state: next, decision: null };
    next.active = {
      startMs: run.startMs,
      lastPainEndMs: endMs,
      peakPspi: run.peakPspi,
      peakPainadFace: run.peakPainadFace,
      lastDecisionMs: endMs,
    };
    const explanation = explainPossiblePain(window, episode(endMs - run.startMs, run, cfg));
    return { state: next, decision: { type: 'open', priority, explanation, at } };
  }

  if (showsPain) {
    active.lastPainEndMs = endMs;
    active.peakPspi = maxOrNull(active.peakPspi, window.face?.pspi ?? null);
    active.peakPainadFace = maxOrNull(active.peakPainadFace, window.face?.painadFace ?? null);
  }
  const episodeMs = active.lastPainEndMs - active.startMs;

  if (next.calmRun !== null && runLengthMs(next.calmRun) >= cfg.clearSustainS * 1000) {
    const explanation = explainPossiblePain(window, episode(episodeMs, active, cfg, runLengthMs(next.calmRun)));
    next.active = null;
    next.painRun = null;
    return { state: next, decision: { type: 'clear', priority, explanation, at } };
  }

  if (endMs - active.lastDecisionMs >= cfg.updateIntervalS * 1000) {
    active.lastDecisionMs = endMs;
    const explanation = explainPossiblePain(window, episode(episodeMs, active, cfg));
    return { state: next, decision: { type: 'update', priority, explanation, at } };
  }

  return { state: next, decision: null };
}

/** After a nurse resolves the alert: forget the episode and the runs, so only a fresh full run opens it again. */
export function resetPossiblePainAfterResolution(state: PossiblePainState): PossiblePainState {
  return { ...state, painRun: null, calmRun: null, active: null };
}
