/**
 * The sustained-distress rule: a pure state machine per stay, fed one score window at a time. It
 * looks at episodes, not single windows: evidence accumulates over time, as in a CUSUM change
 * detector (Page 1954), instead of asking every window of a minute to pass a fixed threshold.
 *
 * Evidence. The wearable model's output is a calibrated probability (models/wearable-distress), so
 * logit(distress) - logit(referenceDistress) is the window's log-likelihood ratio for distress
 * against the model's base rate. Each confident window with a wearable estimate adds that ratio
 * minus an allowance (`allowanceLogOdds`), times its length in seconds, to the evidence; the
 * evidence never falls below 0. A window that is not confident, or has no wearable estimate (face
 * evidence alone is the possible-pain rule's business, never a sustained-distress alert), adds
 * nothing and lets the evidence decay by the allowance, as a neutral window would. So a short burst
 * above the reference is forgiven, a modest rise that lasts is not, and a strong rise is quick.
 *
 * Opening and priority: the alert opens when the evidence reaches `openEvidence` (log-odds x
 * seconds); it is high priority when the evidence reaches `highEvidence`, at opening or later (one
 * escalation, no automatic de-escalation: a nurse resolves the alert). The evidence is capped at
 * `highEvidence` so that it can fall back to 0 in bounded time once the patient settles.
 *
 * Clearing: `clearSustainS` of confident windows during which the evidence stays at 0. Windows that
 * are not confident break that calm: a patient cannot be called settled when the system cannot see
 * them (a wearable off the wrist reports nothing, not calm).
 *
 * While the condition is active, at most one 'update' is emitted per `updateIntervalS` (measured
 * from the last decision of any kind), carrying a refreshed explanation and the peak so far.
 * After 'clear' the rule is idle; if distress returns before a nurse resolved the alert, the next
 * 'open' decision is for the caller to record as a reactivation of the same alert (one open alert
 * per stay and kind).
 *
 * The parameters of each alert sensitivity were chosen with the alert evaluation harness
 * (`npm run alerts:eval -- --sweep`), which replays real recordings through the agent's pipeline
 * and this rule; the false alerts per patient-day and the detected stress periods of each are in
 * models/wearable-distress/MODEL_CARD.md.
 *
 * Order and time. Windows are taken in each device's `seq` order: a window whose seq is not after
 * the last one seen from the same device (a duplicate, a stale redelivery) is ignored. Durations
 * are measured on the rule's own clock, which advances by each window's length plus any gap of at
 * most `maxGapS` before it, so no timestamp can stop the rule: a device clock that jumps ahead or
 * back by hours (or a window from another device after a transfer) only resets the evidence once,
 * exactly like a gap. Decisions are stamped with the server's receive time. The state is plain
 * JSON (times as milliseconds) so it can be stored between windows.
 */
import type { ScoreWindow } from '@attune/protocol';
import type { Explanation, Priority } from './alert-types.ts';
import { explainDistress, type DistressEpisodeContext, type DistressObservation } from './explanation.ts';
import { takeOnRuleClock } from './rule-clock.ts';

export interface DistressRuleConfig {
  /**
   * The calibrated distress that is evidence neither way: the wearable model's base rate (the share
   * of stress windows it was trained on, `threshold` in models/wearable-distress/weights.json).
   */
  referenceDistress: number;
  /** Log-odds a window must exceed the reference by before it adds evidence (the CUSUM allowance), per second. */
  allowanceLogOdds: number;
  /** Evidence (log-odds x seconds) that opens the alert. */
  openEvidence: number;
  /** Evidence that makes the alert high priority; also the cap of the evidence. */
  highEvidence: number;
  /** Windows with lower confidence add no evidence and break the calm. */
  minConfidence: number;
  /** Confident windows with the evidence at 0 for this long clear the condition, seconds. */
  clearSustainS: number;
  /** A larger gap between windows resets the evidence and the calm, seconds. */
  maxGapS: number;
  /** Minimum time between decisions while active before another 'update', seconds. */
  updateIntervalS: number;
}

export const DEFAULT_DISTRESS_RULE: Readonly<DistressRuleConfig> = Object.freeze({
  referenceDistress: 0.341,
  allowanceLogOdds: 0.2,
  openEvidence: 180,
  highEvidence: 360,
  minConfidence: 0.5,
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
  lower: Object.freeze({ ...DEFAULT_DISTRESS_RULE, allowanceLogOdds: 0.4, openEvidence: 180, highEvidence: 360 }),
  standard: DEFAULT_DISTRESS_RULE,
  higher: Object.freeze({ ...DEFAULT_DISTRESS_RULE, allowanceLogOdds: 0.4, openEvidence: 20, highEvidence: 120 }),
};

/** The rule parameters for a stay's sensitivity (standard when none is set). */
export function distressRuleFor(sensitivity: AlertSensitivity | null | undefined): Readonly<DistressRuleConfig> {
  return SENSITIVITY_RULES[sensitivity ?? 'standard'];
}

/** The parts of a score window the rule reads: a ScoreWindow with parsed dates and the fused fields flattened. */
export interface RuleWindow extends DistressObservation {
  deviceId: string;
  /** The device's sequence number: the order windows are taken in. */
  seq: number;
  windowStart: Date;
  windowEnd: Date;
  /** When the server received the window (its own clock); decisions are stamped with it. */
  receivedAt: Date;
}

/** A score window as the agent sent it, in the form the alert rules read. */
export function toRuleWindow(w: ScoreWindow, receivedAt: Date): RuleWindow {
  return {
    deviceId: w.deviceId,
    seq: w.seq,
    windowStart: new Date(w.windowStart),
    windowEnd: new Date(w.windowEnd),
    receivedAt,
    distress: w.fused.distress,
    confidence: w.fused.confidence,
    drivers: w.fused.drivers,
    ...(w.face ? { face: w.face } : {}),
    ...(w.wearable ? { wearable: w.wearable } : {}),
    quality: w.quality,
    models: w.models,
  };
}

export type DistressDecisionType = 'open' | 'escalate' | 'update' | 'clear';

export interface DistressDecision {
  type: DistressDecisionType;
  priority: Priority;
  explanation: Explanation;
  /** When the server received the window that produced the decision. */
  at: Date;
}

/** The condition while it is active (alert opened and not yet cleared). Times on the rule clock. */
export interface ActiveDistress {
  priority: Priority;
  /** Start of the window where the evidence that opened the alert began to accumulate. */
  startMs: number;
  /** End of the latest window that added evidence. */
  lastDistressedEndMs: number;
  /** Highest confident distress since `startMs`. */
  peak: number;
  sclAtStartUs: number | null;
  /** End of the window behind the last decision (open, escalate or update). */
  lastDecisionMs: number;
}

/** Accumulated evidence since it last rose from 0. Times on the rule clock. */
export interface DistressEvidence {
  /** Log-odds x seconds, 0..highEvidence. */
  value: number;
  /** Start of the window where it rose from 0. */
  startMs: number;
  /** Highest confident distress since then. */
  peak: number;
  /** Skin conductance at the first window since then that had one, microsiemens. */
  firstSclUs: number | null;
}

export interface DistressRuleState {
  v: 3;
  /** The latest window taken: its device and seq (the order) and its end by the device's clock (for gaps). */
  last: { deviceId: string; seq: number; windowEndMs: number } | null;
  /** The rule clock: the accumulated time of the windows taken, milliseconds. */
  clockMs: number;
  /** null while the evidence is 0. */
  evidence: DistressEvidence | null;
  /** Confident time with the evidence at 0 since the last window that was not, milliseconds. */
  calmMs: number;
  active: ActiveDistress | null;
}

export function initialDistressState(): DistressRuleState {
  return { v: 3, last: null, clockMs: 0, evidence: null, calmMs: 0, active: null };
}

const logit = (p: number) => {
  const q = Math.min(1 - 1e-4, Math.max(1e-4, p));
  return Math.log(q / (1 - q));
};

/**
 * Whether a window is wearable evidence the rule counts: confident, with a wearable estimate. The
 * possible-pain rule uses the same test, so every window with face pain signs is handled by exactly
 * one of the two rules.
 */
export function countsAsDistressEvidence(window: Pick<RuleWindow, 'confidence' | 'wearable'>, minConfidence: number): boolean {
  return window.confidence >= minConfidence && window.wearable?.distress != null;
}

/** The distress above which a window adds evidence (what a nurse reads as the alert threshold). */
export function evidenceThreshold(cfg: Pick<DistressRuleConfig, 'referenceDistress' | 'allowanceLogOdds'>): number {
  return 1 / (1 + Math.exp(-(logit(cfg.referenceDistress) + cfg.allowanceLogOdds)));
}

function context(
  durationMs: number,
  peak: number,
  sclAtStartUs: number | null,
  cfg: DistressRuleConfig,
  calmForMs?: number,
): DistressEpisodeContext {
  const threshold = Math.round(evidenceThreshold(cfg) * 100) / 100;
  return {
    durationS: Math.round(durationMs / 1000),
    peakDistress: peak,
    openThreshold: threshold,
    minConfidence: cfg.minConfidence,
    sclAtStartUs,
    calm: calmForMs === undefined ? null : { forS: Math.round(calmForMs / 1000), threshold },
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
  if (!Number.isFinite(window.distress) || !Number.isFinite(window.confidence)) return { state, decision: null };
  const taken = takeOnRuleClock(state, window, cfg.maxGapS);
  if (taken === null) return { state, decision: null };
  const { startMs, endMs, followsOn, next } = taken;

  // Evidence: a confident window with a wearable estimate adds its log-likelihood ratio minus the
  // allowance; anything else is neutral and decays the evidence by the allowance.
  const lengthS = (endMs - startMs) / 1000;
  const counts = countsAsDistressEvidence(window, cfg.minConfidence);
  const d = window.distress;
  const before = followsOn ? state.evidence : null;
  const step = counts ? logit(d) - logit(cfg.referenceDistress) - cfg.allowanceLogOdds : -cfg.allowanceLogOdds;
  const value = Math.min(cfg.highEvidence, Math.max(0, (before?.value ?? 0) + step * lengthS));
  const scl = window.wearable && window.wearable.onWrist ? window.wearable.sclUs : null;
  if (value <= 0) next.evidence = null;
  else if (before === null) next.evidence = { value, startMs, peak: counts ? d : 0, firstSclUs: scl };
  else
    next.evidence = {
      value,
      startMs: before.startMs,
      peak: counts ? Math.max(before.peak, d) : before.peak,
      firstSclUs: before.firstSclUs ?? scl,
    };
  const addedEvidence = counts && step > 0;
  next.calmMs = counts && next.evidence === null ? (followsOn ? state.calmMs : 0) + (endMs - startMs) : 0;

  const at = window.receivedAt;
  const active = next.active;
  const evidence = next.evidence;

  if (active === null) {
    if (evidence === null || evidence.value < cfg.openEvidence) return { state: next, decision: null };
    const priority: Priority = evidence.value >= cfg.highEvidence ? 'high' : 'medium';
    next.active = {
      priority,
      startMs: evidence.startMs,
      lastDistressedEndMs: endMs,
      peak: evidence.peak,
      sclAtStartUs: evidence.firstSclUs,
      lastDecisionMs: endMs,
    };
    const explanation = explainDistress(window, context(endMs - evidence.startMs, evidence.peak, evidence.firstSclUs, cfg));
    return { state: next, decision: { type: 'open', priority, explanation, at } };
  }

  // Active: track the episode.
  if (counts) active.peak = Math.max(active.peak, d);
  if (addedEvidence) active.lastDistressedEndMs = endMs;
  const episodeMs = active.lastDistressedEndMs - active.startMs;

  if (next.calmMs >= cfg.clearSustainS * 1000) {
    const explanation = explainDistress(window, context(episodeMs, active.peak, active.sclAtStartUs, cfg, next.calmMs));
    next.active = null;
    return { state: next, decision: { type: 'clear', priority: active.priority, explanation, at } };
  }

  if (active.priority !== 'high' && evidence !== null && evidence.value >= cfg.highEvidence) {
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
  return { ...state, evidence: null, calmMs: 0, active: null };
}
