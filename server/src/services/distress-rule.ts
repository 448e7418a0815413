/**
 * The sustained-distress rule: a pure state machine per stay, fed one score window at a time.
 *
 * Opening: the fused distress must be >= `openDistress` with confidence >= `minConfidence` in every
 * window of a run lasting `openSustainS` (60 s). A run is a sequence of consecutive qualifying
 * windows. A non-qualifying window, or a gap of more than `maxGapS` between one window's end and
 * the next window's start, breaks the run.
 *
 * Priority: high when a run of distress >= `highDistress` (same confidence floor) has lasted
 * `highSustainS` (30 s) within the opening run, else medium. While open, medium escalates to high once such a run
 * happens; there is no automatic de-escalation (a nurse resolves the alert).
 *
 * Clearing: a run of `clearSustainS` (120 s) of confirmed calm — distress < `clearDistress` with
 * confidence >= `minConfidence`. Between the clear and open thresholds (0.5..0.7) a window neither
 * opens nor clears: that gap is the hysteresis that stops an alert flapping around one threshold.
 *
 * Low-confidence windows count toward neither opening nor clearing, and they break both runs.
 * For opening, an alert must rest on signals the system trusts. For clearing, a patient cannot be
 * called settled when the system cannot see them: a camera that lost the face or a wearable off the
 * wrist reports low distress simply because nothing is measured, so only confident calm clears.
 *
 * While the condition is active, at most one 'update' is emitted per `updateIntervalS` (measured
 * from the last decision of any kind), carrying a refreshed explanation and the peak so far.
 * After 'clear' the rule is idle; if distress returns before a nurse resolved the alert, the next
 * 'open' decision is for the caller to record as a reactivation of the same alert (one open alert
 * per stay and kind).
 *
 * Order and time. Windows are taken in each device's `seq` order: a window whose seq is not after
 * the last one seen from the same device (a duplicate, a stale redelivery) is ignored. Durations
 * are measured on the rule's own clock, which advances by each window's length plus any gap of at
 * most `maxGapS` before it, so no timestamp can stop the rule: a device clock that jumps ahead or
 * back by hours (or a window from another device after a transfer) only breaks the runs once,
 * exactly like a gap. Decisions are stamped with the server's receive time. The state is plain
 * JSON (times as milliseconds) so it can be stored between windows.
 */
import type { Driver, FaceBlock, Quality, WearableBlock } from '@attune/protocol';
import type { Explanation, Priority } from './alert-types.ts';
import { explainDistress, type DistressEpisodeContext } from './explanation.ts';

export interface DistressRuleConfig {
  /** Distress at or above which a window counts toward opening. */
  openDistress: number;
  /** Distress at or above which a window counts toward high priority. */
  highDistress: number;
  /** Distress below which a (confident) window counts toward clearing. Must be below `openDistress`. */
  clearDistress: number;
  /** Windows with lower confidence count toward nothing. */
  minConfidence: number;
  /** Length of the qualifying run that opens the alert, seconds. */
  openSustainS: number;
  /** Length of the high-distress run that makes the alert high priority, seconds. */
  highSustainS: number;
  /** Length of the confirmed-calm run that clears the condition, seconds. */
  clearSustainS: number;
  /** A larger gap between windows breaks every run, seconds. */
  maxGapS: number;
  /** Minimum time between decisions while active before another 'update', seconds. */
  updateIntervalS: number;
}

export const DEFAULT_DISTRESS_RULE: Readonly<DistressRuleConfig> = Object.freeze({
  openDistress: 0.7,
  highDistress: 0.85,
  clearDistress: 0.5,
  minConfidence: 0.5,
  openSustainS: 60,
  highSustainS: 30,
  clearSustainS: 120,
  maxGapS: 15,
  updateIntervalS: 60,
});

/**
 * A stay's alert sensitivity, set by a charge nurse for 24 h. Each maps to rule parameters whose
 * false-alert rate and detection the alert evaluation harness (`npm run alerts:eval`) measured;
 * the figures are in models/wearable-distress/MODEL_CARD.md.
 */
export const ALERT_SENSITIVITIES = ['lower', 'standard', 'higher'] as const;
export type AlertSensitivity = (typeof ALERT_SENSITIVITIES)[number];

const SENSITIVITY_RULES: Record<AlertSensitivity, Readonly<DistressRuleConfig>> = {
  lower: Object.freeze({ ...DEFAULT_DISTRESS_RULE, openSustainS: 120 }),
  standard: DEFAULT_DISTRESS_RULE,
  higher: Object.freeze({ ...DEFAULT_DISTRESS_RULE, openSustainS: 30 }),
};

/** The rule parameters for a stay's sensitivity (standard when none is set). */
export function distressRuleFor(sensitivity: AlertSensitivity | null | undefined): Readonly<DistressRuleConfig> {
  return SENSITIVITY_RULES[sensitivity ?? 'standard'];
}

/** The parts of a score window the rule reads: a ScoreWindow with parsed dates and the fused fields flattened. */
export interface RuleWindow {
  deviceId: string;
  /** The device's sequence number: the order windows are taken in. */
  seq: number;
  windowStart: Date;
  windowEnd: Date;
  /** When the server received the window (its own clock); decisions are stamped with it. */
  receivedAt: Date;
  distress: number;
  confidence: number;
  drivers: Driver[];
  face?: FaceBlock;
  wearable?: WearableBlock;
  quality: Quality;
  models: Record<string, string>;
}

export type DistressDecisionType = 'open' | 'escalate' | 'update' | 'clear';

export interface DistressDecision {
  type: DistressDecisionType;
  priority: Priority;
  explanation: Explanation;
  /** When the server received the window that produced the decision. */
  at: Date;
}

/** A run of consecutive qualifying windows. Times are positions on the rule clock, milliseconds. */
export interface DistressRun {
  startMs: number;
  endMs: number;
  /** Highest distress in the run. */
  peak: number;
  /** Skin conductance at the first window of the run that had one, microsiemens. */
  firstSclUs: number | null;
}

/** The condition while it is active (alert opened and not yet cleared). Times on the rule clock. */
export interface ActiveDistress {
  priority: Priority;
  /** Start of the first window of the run that opened the alert. */
  startMs: number;
  /** End of the latest confident window at or above the open threshold. */
  lastDistressedEndMs: number;
  /** Highest confident distress since `startMs`. */
  peak: number;
  sclAtStartUs: number | null;
  /** End of the window behind the last decision (open, escalate or update). */
  lastDecisionMs: number;
}

export interface DistressRuleState {
  v: 2;
  /** The latest window taken: its device and seq (the order) and its end by the device's clock (for gaps). */
  last: { deviceId: string; seq: number; windowEndMs: number } | null;
  /** The rule clock: the accumulated time of the windows taken, milliseconds. */
  clockMs: number;
  openRun: DistressRun | null;
  /** Whether a high-distress run of `highSustainS` happened within the current open run. */
  openRunReachedHigh: boolean;
  highRun: DistressRun | null;
  calmRun: DistressRun | null;
  active: ActiveDistress | null;
}

export function initialDistressState(): DistressRuleState {
  return {
    v: 2,
    last: null,
    clockMs: 0,
    openRun: null,
    openRunReachedHigh: false,
    highRun: null,
    calmRun: null,
    active: null,
  };
}

const runLengthMs = (run: DistressRun | null) => (run === null ? 0 : run.endMs - run.startMs);

/** Extends `run` with the window when it qualifies and follows on, starts a new run, or breaks it. */
function advanceRun(
  run: DistressRun | null,
  qualifies: boolean,
  followsOn: boolean,
  startMs: number,
  endMs: number,
  w: RuleWindow,
): DistressRun | null {
  if (!qualifies) return null;
  const scl = w.wearable && w.wearable.onWrist ? w.wearable.sclUs : null;
  if (run !== null && followsOn) {
    return { startMs: run.startMs, endMs, peak: Math.max(run.peak, w.distress), firstSclUs: run.firstSclUs ?? scl };
  }
  return { startMs, endMs, peak: w.distress, firstSclUs: scl };
}

function context(
  durationMs: number,
  peak: number,
  sclAtStartUs: number | null,
  cfg: DistressRuleConfig,
  calmForMs?: number,
): DistressEpisodeContext {
  return {
    durationS: Math.round(durationMs / 1000),
    peakDistress: peak,
    openThreshold: cfg.openDistress,
    minConfidence: cfg.minConfidence,
    sclAtStartUs,
    calm: calmForMs === undefined ? null : { forS: Math.round(calmForMs / 1000), threshold: cfg.clearDistress },
  };
}

/**
 * Feeds one window to the rule. Returns the next state (the input is not modified) and at most one
 * decision. Ignores a window whose seq is not after the last one from the same device, and windows
 * with non-finite numbers or invalid times.
 */
export function evaluateDistressWindow(
  state: DistressRuleState,
  window: RuleWindow,
  config: Partial<DistressRuleConfig> = {},
): { state: DistressRuleState; decision: DistressDecision | null } {
  const cfg: DistressRuleConfig = { ...DEFAULT_DISTRESS_RULE, ...config };
  const windowStartMs = window.windowStart.getTime();
  const windowEndMs = window.windowEnd.getTime();
  const sameDevice = state.last !== null && state.last.deviceId === window.deviceId;
  if (
    !Number.isFinite(windowStartMs) ||
    !Number.isFinite(windowEndMs) ||
    windowEndMs <= windowStartMs ||
    !Number.isFinite(window.distress) ||
    !Number.isFinite(window.confidence) ||
    !Number.isFinite(window.receivedAt.getTime()) ||
    (sameDevice && window.seq <= state.last!.seq)
  ) {
    return { state, decision: null };
  }

  // Place the window on the rule clock. It follows on from the last window when it comes from the
  // same device and its start is within maxGap of the last end, either way: a larger step, forward
  // or back, is a gap (the device was silent, or its clock jumped) and breaks every run.
  const maxGapMs = cfg.maxGapS * 1000;
  const gapMs = sameDevice ? windowStartMs - state.last!.windowEndMs : Infinity;
  const followsOn = Math.abs(gapMs) <= maxGapMs;
  const startMs = state.clockMs + (followsOn ? Math.max(0, gapMs) : 0);
  const endMs = startMs + (windowEndMs - windowStartMs);

  // Runs are replaced, never changed in place; only `active` is updated below, so it alone is copied
  // (this runs for every stored window: no deep clone).
  const next: DistressRuleState = { ...state, active: state.active && { ...state.active } };
  next.last = { deviceId: window.deviceId, seq: window.seq, windowEndMs };
  next.clockMs = endMs;

  const confident = window.confidence >= cfg.minConfidence;
  const d = window.distress;
  const advance = (run: DistressRun | null, qualifies: boolean) => advanceRun(run, qualifies, followsOn, startMs, endMs, window);
  next.openRun = advance(state.openRun, confident && d >= cfg.openDistress);
  next.highRun = advance(state.highRun, confident && d >= cfg.highDistress);
  next.calmRun = advance(state.calmRun, confident && d < cfg.clearDistress);
  const highSustained = runLengthMs(next.highRun) >= cfg.highSustainS * 1000;
  // A high run always lies inside the open run (>= highDistress implies >= openDistress), so a
  // high run that ended earlier in the same open run still makes the alert high priority.
  const openRunContinued = state.openRun !== null && next.openRun !== null && next.openRun.startMs === state.openRun.startMs;
  next.openRunReachedHigh = next.openRun !== null && ((openRunContinued && state.openRunReachedHigh) || highSustained);

  const at = window.receivedAt;
  const active = next.active;

  if (active === null) {
    const run = next.openRun;
    if (run === null || runLengthMs(run) < cfg.openSustainS * 1000) return { state: next, decision: null };
    const priority: Priority = next.openRunReachedHigh ? 'high' : 'medium';
    next.active = {
      priority,
      startMs: run.startMs,
      lastDistressedEndMs: endMs,
      peak: run.peak,
      sclAtStartUs: run.firstSclUs,
      lastDecisionMs: endMs,
    };
    const explanation = explainDistress(window, context(endMs - run.startMs, run.peak, run.firstSclUs, cfg));
    return { state: next, decision: { type: 'open', priority, explanation, at } };
  }

  // Active: track the episode.
  if (confident) active.peak = Math.max(active.peak, window.distress);
  if (confident && window.distress >= cfg.openDistress) active.lastDistressedEndMs = endMs;
  const episodeMs = active.lastDistressedEndMs - active.startMs;

  if (next.calmRun !== null && runLengthMs(next.calmRun) >= cfg.clearSustainS * 1000) {
    const explanation = explainDistress(window, context(episodeMs, active.peak, active.sclAtStartUs, cfg, runLengthMs(next.calmRun)));
    next.active = null;
    next.openRun = null;
    next.openRunReachedHigh = false;
    next.highRun = null;
    return { state: next, decision: { type: 'clear', priority: active.priority, explanation, at } };
  }

  if (active.priority !== 'high' && highSustained) {
    active.priority = 'high';
    active.lastDecisionMs = endMs;
    const explanation = explainDistress(window, context(episodeMs, active.peak, active.sclAtStartUs, cfg));
    return { state: next, decision: { type: 'escalate', priority: 'high', explanation, at } };
  }

  if (endMs - active.lastDecisionMs >= cfg.updateIntervalS * 1000) {
    active.lastDecisionMs = endMs;
    const explanation = explainDistress(window, context(episodeMs, active.peak, active.sclAtStartUs, cfg));
    return { state: next, decision: { type: 'update', priority: active.priority, explanation, at } };
  }

  return { state: next, decision: null };
}

/**
 * After a nurse resolves the alert: forget the episode and every run, so the rule opens again only
 * after a fresh full run of windows taken from now on. It is not a time cut-off: the server's clock
 * and the device's are not compared, so a device clock behind the server's cannot hold the rule
 * back.
 */
export function resetAfterResolution(state: DistressRuleState): DistressRuleState {
  return {
    ...state,
    openRun: null,
    openRunReachedHigh: false,
    highRun: null,
    calmRun: null,
    active: null,
  };
}
