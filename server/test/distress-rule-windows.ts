/**
 * Windows for the distress rule's unit tests, on a round-number configuration: evidence per
 * second is logit(distress) against 0.5 with no allowance, the alert opens at 60 log-odds x seconds
 * and turns high at 120.
 */
import { exampleScoreWindow } from '@attune/protocol';
import {
  evaluateDistressWindow,
  initialDistressState,
  type DistressDecision,
  type DistressRuleConfig,
  type DistressRuleState,
  type RuleWindow,
} from '../src/domain/distress-rule.ts';

export const T0 = Date.parse('2026-11-25T10:00:00.000Z');
export const S = 1000;

export interface WinOpts {
  confidence?: number;
  lengthS?: number;
  wearable?: RuleWindow['wearable'] | null;
  /** Defaults to bed-01-agent. */
  deviceId?: string;
  /** Defaults to `startS`, so windows later in time come later in seq. */
  seq?: number;
  /** Shifts the window's timestamps (a device clock that is off) without changing its seq or receive time. */
  clockOffsetS?: number;
}

/** A window starting `startS` seconds after T0 (5 s long by default), received as it ends. */
export function win(startS: number, distress: number, opts: WinOpts = {}): RuleWindow {
  const lengthS = opts.lengthS ?? 5;
  const offsetS = opts.clockOffsetS ?? 0;
  const w: RuleWindow = {
    deviceId: opts.deviceId ?? 'bed-01-agent',
    seq: opts.seq ?? startS,
    windowStart: new Date(T0 + (startS + offsetS) * S),
    windowEnd: new Date(T0 + (startS + offsetS + lengthS) * S),
    receivedAt: new Date(T0 + (startS + lengthS) * S),
    distress,
    confidence: opts.confidence ?? 0.8,
    drivers: [{ code: 'heart_rate_high', value: 96, unit: 'bpm', baseline: 72 }],
    quality: { wearableCoverage: 1, faceCoverage: null, unobserved: [] },
    models: { 'wearable-distress': '1.0.0' },
  };
  const wearable =
    opts.wearable === undefined
      ? { ...exampleScoreWindow.wearable! } // a distressed wearable: HR 96 against a baseline of 72
      : opts.wearable;
  if (wearable) w.wearable = wearable;
  return w;
}

/** Contiguous 5 s windows from `fromS`, one per distress value. */
export function seq(fromS: number, values: number[], opts: WinOpts = {}): RuleWindow[] {
  return values.map((d, i) => win(fromS + i * 5, d, opts));
}
export const rep = (value: number, n: number) => Array.from({ length: n }, () => value);

/**
 * Round numbers for the tests: evidence per second is logit(distress) (reference 0.5, no allowance),
 * the alert opens at 60 log-odds x seconds and turns high at 120. `at(x)` is the distress whose
 * log-odds are x, so `at(E)` for 60 s opens; E is a little over 1 so float rounding cannot land
 * exactly on the boundary.
 */
export const CFG: Partial<DistressRuleConfig> = { referenceDistress: 0.5, allowanceLogOdds: 0, openEvidence: 60, highEvidence: 120 };
export const at = (logOdds: number) => 1 / (1 + Math.exp(-logOdds));
export const E = 1.01;
export const UP = at(E);
/** Settled: -2 log-odds per second, so 60.6 of evidence is spent within 7 windows. */
export const CALM = at(-2);

export interface Step {
  window: RuleWindow;
  decision: DistressDecision | null;
}

/** Feeds windows in order; every state goes through a JSON round trip, as if stored between windows. */
export function run(
  windows: RuleWindow[],
  state: DistressRuleState = initialDistressState(),
  config: Partial<DistressRuleConfig> = CFG,
): { state: DistressRuleState; steps: Step[]; decisions: DistressDecision[] } {
  const steps: Step[] = [];
  let s = state;
  for (const window of windows) {
    const r = evaluateDistressWindow(s, window, config);
    s = JSON.parse(JSON.stringify(r.state)) as DistressRuleState;
    steps.push({ window, decision: r.decision });
  }
  return { state: s, steps, decisions: steps.flatMap((x) => (x.decision ? [x.decision] : [])) };
}

export const endS = (d: DistressDecision) => (d.at.getTime() - T0) / S;
