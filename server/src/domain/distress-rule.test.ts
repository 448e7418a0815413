import { describe, expect, it } from 'vitest';
import {
  ALERT_SENSITIVITIES,
  DEFAULT_DISTRESS_RULE,
  distressRuleFor,
  evaluateDistressWindow,
  evidenceThreshold,
  initialDistressState,
  resetAfterResolution,
  type DistressDecision,
  type DistressRuleConfig,
  type DistressRuleState,
  type RuleWindow,
} from './distress-rule.ts';
import { UNOBSERVED_PAINAD_TEXT } from './explanation.ts';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const S = 1000;

interface WinOpts {
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
function win(startS: number, distress: number, opts: WinOpts = {}): RuleWindow {
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
      ? {
          hrBpm: 96,
          hrBaselineBpm: 72,
          sdnnMs: 28,
          rmssdMs: 19,
          sclUs: 6.4,
          scrPerMin: 7,
          tempC: 33.1,
          activityG: 0.04,
          distress: 0.74,
          baselineReady: true,
          onWrist: true,
        }
      : opts.wearable;
  if (wearable) w.wearable = wearable;
  return w;
}

/** Contiguous 5 s windows from `fromS`, one per distress value. */
function seq(fromS: number, values: number[], opts: WinOpts = {}): RuleWindow[] {
  return values.map((d, i) => win(fromS + i * 5, d, opts));
}
const rep = (value: number, n: number) => Array.from({ length: n }, () => value);

/**
 * Round numbers for the tests: evidence per second is logit(distress) (reference 0.5, no allowance),
 * the alert opens at 60 log-odds x seconds and turns high at 120. `at(x)` is the distress whose
 * log-odds are x, so `at(E)` for 60 s opens; E is a little over 1 so float rounding cannot land
 * exactly on the boundary.
 */
const CFG: Partial<DistressRuleConfig> = { referenceDistress: 0.5, allowanceLogOdds: 0, openEvidence: 60, highEvidence: 120 };
const at = (logOdds: number) => 1 / (1 + Math.exp(-logOdds));
const E = 1.01;
const UP = at(E);
/** Settled: -2 log-odds per second, so 60.6 of evidence is spent within 7 windows. */
const CALM = at(-2);

interface Step {
  window: RuleWindow;
  decision: DistressDecision | null;
}

/** Feeds windows in order; every state goes through a JSON round trip, as if stored between windows. */
function run(
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

const endS = (d: DistressDecision) => (d.at.getTime() - T0) / S;

describe('defaults', () => {
  it('match the design: evidence against the model base rate, chosen with the alert evaluation harness', () => {
    expect(DEFAULT_DISTRESS_RULE).toEqual({
      referenceDistress: 0.341,
      allowanceLogOdds: 0.2,
      openEvidence: 180,
      highEvidence: 360,
      minConfidence: 0.5,
      clearSustainS: 120,
      maxGapS: 15,
      updateIntervalS: 60,
    });
    // A window adds evidence above about 0.39 (what the explanation shows as the threshold).
    expect(evidenceThreshold(DEFAULT_DISTRESS_RULE)).toBeCloseTo(0.387, 2);
  });

  it('starts idle with a JSON-serialisable state', () => {
    const s = initialDistressState();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.active).toBeNull();
  });

  it('each sensitivity is a complete rule: for the same lasting rise, higher opens sooner than standard, lower later', () => {
    for (const name of ALERT_SENSITIVITIES)
      expect(Object.keys(distressRuleFor(name)).sort()).toEqual(Object.keys(DEFAULT_DISTRESS_RULE).sort());
    expect(distressRuleFor(null)).toBe(DEFAULT_DISTRESS_RULE);
    const opensAtS = (name: (typeof ALERT_SENSITIVITIES)[number]) =>
      run(seq(0, rep(0.65, 120)), initialDistressState(), distressRuleFor(name)).decisions.map(endS)[0];
    expect(opensAtS('higher')).toBe(25);
    expect(opensAtS('standard')).toBe(170);
    expect(opensAtS('lower')).toBe(210);
  });
});

describe('opening', () => {
  it('opens exactly when the evidence reaches the opening level, not before', () => {
    const { steps } = run(seq(0, rep(UP, 12)));
    expect(steps.slice(0, 11).every((s) => s.decision === null)).toBe(true);
    const d = steps[11]!.decision!;
    expect(d.type).toBe('open');
    expect(d.priority).toBe('medium');
    expect(endS(d)).toBe(60);
    const fused = d.explanation.evidence.find((e) => e.signal === 'distress')!;
    expect(fused).toMatchObject({ value: UP, threshold: 0.5, durationS: 60 });
  });

  it('stronger distress opens sooner: three times the log-odds, a third of the time', () => {
    const { steps } = run(seq(0, rep(at(3 * E), 12)));
    expect(steps.findIndex((s) => s.decision?.type === 'open')).toBe(3); // 20 s
  });

  it('measures evidence by window length, whatever the window length', () => {
    // 20 s windows: 0-20, 20-40, 40-60
    const { steps } = run([win(0, UP, { lengthS: 20 }), win(20, UP, { lengthS: 20 }), win(40, UP, { lengthS: 20 })]);
    expect(steps.map((s) => s.decision?.type ?? null)).toEqual([null, null, 'open']);
  });

  it('a brief dip costs its own evidence, it does not start the count again', () => {
    // 11 windows (55.55), a calm window (-10), then 3 more windows reach 60.7: open at the 15th window,
    // where a rule that restarts its count would need 12 more.
    const { steps, decisions } = run(seq(0, [...rep(UP, 11), CALM, ...rep(UP, 12)]));
    expect(decisions[0]!.type).toBe('open');
    expect(steps.findIndex((s) => s.decision !== null)).toBe(14);
  });

  it('a long stretch just below the evidence threshold never opens (default rule)', () => {
    const below = evidenceThreshold(DEFAULT_DISTRESS_RULE) - 0.02;
    expect(run(seq(0, rep(below, 720)), initialDistressState(), {}).decisions).toHaveLength(0); // 1 h
  });

  it('a clear rise that lasts opens; the default rule opens on 140 s of 0.7', () => {
    // logit(0.7) - logit(0.341) - 0.2 = 1.31 per second: 180 after 138 s.
    const { decisions } = run(seq(0, rep(0.7, 40)), initialDistressState(), {});
    expect(decisions.map((d) => [d.type, endS(d)])).toEqual([
      ['open', 140],
      ['update', 200],
    ]);
  });

  it('a 20 s gap resets the evidence', () => {
    // 0..30 s (30.3), nothing until 50 s, then windows from 50 s: 12 windows needed again.
    const windows = [...seq(0, rep(UP, 6)), ...seq(50, rep(UP, 12))];
    const { steps, decisions } = run(windows);
    expect(decisions).toHaveLength(1);
    expect(steps.findIndex((s) => s.decision !== null)).toBe(6 + 11);
    expect(endS(decisions[0]!)).toBe(110);
  });

  it('a gap of at most 15 s keeps the evidence', () => {
    const windows = [...seq(0, rep(UP, 6)), ...seq(45, rep(UP, 6))];
    const { steps } = run(windows);
    expect(steps.map((s) => s.decision?.type ?? null).at(-1)).toBe('open');
    expect(steps.slice(0, -1).every((s) => s.decision === null)).toBe(true);
  });

  it('low-confidence windows add no evidence, however high the distress', () => {
    const { decisions } = run(seq(0, rep(0.95, 60), { confidence: 0.4 }));
    expect(decisions).toHaveLength(0);
  });

  it('a window without a wearable estimate (face evidence alone) adds no evidence', () => {
    expect(run(seq(0, rep(0.95, 60), { wearable: null })).decisions).toHaveLength(0);
    const notScored = { ...win(0, 0.95).wearable!, distress: null };
    expect(run(seq(0, rep(0.95, 60), { wearable: notScored })).decisions).toHaveLength(0);
  });

  it('a low-confidence window is neutral: the evidence decays by the allowance only', () => {
    const windows = seq(0, rep(UP, 13));
    windows[11] = win(55, 0.99, { confidence: 0.49 });
    // With no allowance a neutral window keeps the evidence: the 13th window (12 confident) opens.
    expect(run(windows).steps.findIndex((s) => s.decision !== null)).toBe(12);
    const withAllowance = { ...CFG, referenceDistress: at(-0.5), allowanceLogOdds: 0.5 };
    expect(run(windows, initialDistressState(), withAllowance).steps.findIndex((s) => s.decision !== null)).toBe(-1);
  });

  it('accepts a config override', () => {
    const { steps } = run(seq(0, rep(UP, 6)), initialDistressState(), { ...CFG, openEvidence: 30 });
    expect(steps.map((s) => s.decision?.type ?? null)).toEqual([null, null, null, null, null, 'open']);
  });

  it('the open explanation names the baseline delta and the unobserved PAINAD items', () => {
    const { decisions } = run(seq(0, [...rep(UP, 11), 0.91]));
    const e = decisions[0]!.explanation;
    expect(e.summary).toMatch(/^Sustained distress for 1 min, peak 0\.91 — heart rate 24 bpm above baseline/);
    expect(e.unobserved).toContain(UNOBSERVED_PAINAD_TEXT);
    expect(e.unobserved.some((u) => u.startsWith('Face not visible'))).toBe(true);
    expect(e.models).toEqual({ 'wearable-distress': '1.0.0' });
  });
});

describe('priority', () => {
  it('opens high when a single long window carries the evidence past the high level', () => {
    const { decisions } = run([win(0, at(2.1), { lengthS: 60 })]);
    expect(decisions.map((d) => [d.type, d.priority])).toEqual([['open', 'high']]);
  });

  it('escalates medium -> high once, when the evidence reaches the high level, and never de-escalates', () => {
    const values = [...rep(UP, 40), ...rep(at(0.2), 40)];
    const { steps, decisions } = run(seq(0, values));
    expect(decisions[0]).toMatchObject({ type: 'open', priority: 'medium' });
    const esc = decisions.filter((d) => d.type === 'escalate');
    expect(esc).toHaveLength(1);
    expect(endS(esc[0]!)).toBe(120); // 24 windows: 121.2
    expect(steps.findIndex((s) => s.decision?.type === 'escalate')).toBe(23);
    const later = decisions.slice(decisions.indexOf(esc[0]!) + 1);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((d) => d.type === 'update' && d.priority === 'high')).toBe(true);
    // the escalation counts as a decision for the update interval
    expect(later.map(endS)).toEqual([180, 240, 300, 360]); // windows end at 400 s
  });

  it('escalation is not throttled by the update interval', () => {
    // open at 60 s (medium), much stronger from 60 s: high within 10 s of opening
    const { decisions } = run(seq(0, [...rep(UP, 12), ...rep(at(6.5), 2)]));
    expect(decisions.map((d) => [d.type, endS(d)])).toEqual([
      ['open', 60],
      ['escalate', 70],
    ]);
  });
});

describe('updates while active', () => {
  it('emits at most one update per 60 s', () => {
    // Just above the reference: evidence grows slowly after opening and never reaches high.
    const { decisions } = run(seq(0, [...rep(UP, 12), ...rep(at(0.1), 48)])); // 0..300 s
    expect(decisions.map((d) => [d.type, endS(d)])).toEqual([
      ['open', 60],
      ['update', 120],
      ['update', 180],
      ['update', 240],
      ['update', 300],
    ]);
  });

  it('keeps at least 60 s between updates with irregular windows', () => {
    const windows: RuleWindow[] = [];
    let t = 0;
    for (let i = 0; i < 80; i++) {
      const len = 3 + (i % 5) * 2; // 3, 5, 7, 9, 11 s
      windows.push(win(t, at(0.3), { lengthS: len }));
      t += len;
    }
    const { decisions } = run(windows, initialDistressState(), { ...CFG, openEvidence: 20, highEvidence: 1000 });
    expect(decisions[0]!.type).toBe('open');
    const times = decisions.map(endS);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(60);
    expect(decisions.slice(1).every((d) => d.type === 'update')).toBe(true);
    expect(decisions.length).toBeGreaterThanOrEqual(4);
  });

  it('updates carry the refreshed peak and duration', () => {
    const { decisions } = run(seq(0, [...rep(UP, 12), ...rep(at(0.1), 3), 0.93, ...rep(at(0.1), 8)])); // to 120 s
    const upd = decisions.find((d) => d.type === 'update')!;
    expect(endS(upd)).toBe(120);
    expect(upd.explanation.summary).toMatch(/^Sustained distress for 2 min, peak 0\.93/);
    expect(upd.explanation.evidence.find((e) => e.signal === 'distress')).toMatchObject({ durationS: 120 });
  });

  it('a low-confidence reading does not raise the peak', () => {
    const windows = seq(0, [...rep(UP, 12), ...rep(at(0.1), 12)]);
    windows[14] = win(70, 0.99, { confidence: 0.3 });
    const upd = run(windows).decisions.find((d) => d.type === 'update')!;
    expect(upd.explanation.summary).toMatch(/peak 0\.73/);
  });
});

describe('clearing', () => {
  const open = () => run(seq(0, rep(UP, 12))); // evidence 60.6 at 60 s

  it('clears only after the evidence is spent and 120 s of confirmed calm follow', () => {
    const opened = open();
    const { steps, decisions } = run(seq(60, rep(CALM, 40)), opened.state);
    // The 7th calm window (ends 95 s) spends the evidence; 24 windows at 0 end at 180 s.
    const idx = steps.findIndex((s) => s.decision?.type === 'clear');
    expect(idx).toBe(6 + 23);
    expect(endS(decisions.find((d) => d.type === 'clear')!)).toBe(210);
    const clear = steps[idx]!.decision!;
    expect(clear.priority).toBe('medium');
    expect(clear.explanation.summary).toBe('Distress settled: calm for 2 min after 1 min of sustained distress, peak 0.73');
  });

  it('low-confidence calm does not clear', () => {
    const opened = open();
    const { decisions } = run(seq(60, rep(0.1, 60), { confidence: 0.3 }), opened.state);
    expect(decisions.some((d) => d.type === 'clear')).toBe(false);
    expect(decisions.length).toBeGreaterThan(0); // still active: updates continue
  });

  it('a low-confidence window restarts the calm count', () => {
    const opened = open();
    const windows = seq(60, rep(CALM, 40));
    windows[20] = win(160, CALM, { confidence: 0.2 });
    const { steps } = run(windows, opened.state);
    // calm restarts after window 20 (ends 165 s); 24 more windows end at 285 s, past these 40 windows (260 s)
    expect(steps.some((s) => s.decision?.type === 'clear')).toBe(false);
    const more = run(seq(260, rep(CALM, 10)), steps.length ? run(windows, opened.state).state : opened.state);
    expect(more.steps.findIndex((s) => s.decision?.type === 'clear')).toBe(4); // 165 + 120 = 285 = 260 + 5 x 5
  });

  it('after clearing, a new accumulation opens again', () => {
    const cleared = run(seq(60, rep(CALM, 30)), open().state);
    expect(cleared.state.active).toBeNull();
    const again = run(seq(210, rep(UP, 12)), cleared.state);
    expect(again.decisions.map((d) => [d.type, endS(d)])).toEqual([['open', 270]]);
  });
});

describe('no flapping', () => {
  const flap = (fromS: number, n: number, a: number, b: number) =>
    seq(
      fromS,
      Array.from({ length: n }, (_, i) => (i % 2 === 0 ? a : b)),
    );

  it('readings alternating either side of the threshold with no net evidence never open', () => {
    expect(run(flap(0, 240, at(1), at(-1.05))).decisions).toHaveLength(0); // 20 min
    expect(run(flap(0, 240, at(3), at(-3.1))).decisions).toHaveLength(0);
  });

  it('while open, alternating readings with net evidence neither clear nor open a second time', () => {
    const opened = run(seq(0, rep(UP, 12)));
    for (const [a, b] of [
      [at(1), at(-0.95)],
      [at(3), at(-2.9)],
    ] as const) {
      const { decisions, state } = run(flap(60, 120, a, b), opened.state); // 10 min
      expect(decisions.filter((d) => d.type !== 'update')).toEqual([]);
      expect(decisions.length).toBeLessThanOrEqual(10);
      expect(state.active).not.toBeNull();
    }
  });
});

describe('resetAfterResolution', () => {
  it('needs fresh evidence after resolution even while distress continues', () => {
    const opened = run(seq(0, rep(UP, 14))); // active, 70 s
    const reset = resetAfterResolution(opened.state);
    expect(reset.active).toBeNull();
    const { steps } = run(seq(70, rep(UP, 12)), reset);
    expect(steps.slice(0, 11).every((s) => s.decision === null)).toBe(true);
    expect(steps[11]!.decision).toMatchObject({ type: 'open' });
    expect(endS(steps[11]!.decision!)).toBe(130);
  });

  it('forgets evidence gathered before the resolution', () => {
    const partial = run(seq(0, rep(UP, 11))); // 55.5, not yet open
    const reset = resetAfterResolution(partial.state);
    const { steps } = run(seq(55, rep(UP, 12)), reset);
    expect(steps.slice(0, 11).every((s) => s.decision === null)).toBe(true);
    expect(steps[11]!.decision).toMatchObject({ type: 'open', priority: 'medium' });
  });

  it('is no time cut-off: a device clock hours behind the server cannot hold the rule back', () => {
    const reset = resetAfterResolution(run(seq(0, rep(UP, 12))).state);
    // The device's clock now reads 3 h behind; its windows still open a fresh alert after 60 s.
    const behind = run(seq(60, rep(UP, 12), { clockOffsetS: -3 * 3600 }), reset);
    expect(behind.decisions.map((d) => [d.type, endS(d)])).toEqual([['open', 120]]);
  });

  it('does not modify the state passed in', () => {
    const opened = run(seq(0, rep(UP, 12)));
    const copy = structuredClone(opened.state);
    resetAfterResolution(opened.state);
    expect(opened.state).toEqual(copy);
  });
});

describe('ordering', () => {
  it('ignores a duplicate window', () => {
    const opened = run(seq(0, rep(UP, 12)));
    const dup = seq(0, rep(UP, 12))[11]!;
    const r = evaluateDistressWindow(opened.state, dup, CFG);
    expect(r.decision).toBeNull();
    expect(r.state).toBe(opened.state);
  });

  it('ignores an out-of-order window, which therefore cannot spend evidence', () => {
    const first = run(seq(0, rep(UP, 6))); // to 30 s
    const stale = run([win(10, CALM, { lengthS: 5 })], first.state);
    expect(stale.state).toEqual(first.state);
    const { decisions } = run(seq(30, rep(UP, 6)), stale.state);
    expect(decisions.map((d) => [d.type, endS(d)])).toEqual([['open', 60]]);
  });

  it('ignores a replayed window while active (no extra update)', () => {
    const a = run(seq(0, [...rep(UP, 12), ...rep(at(0.1), 12)])); // open at 60, update at 120
    expect(a.decisions.map((d) => d.type)).toEqual(['open', 'update']);
    const replay = run(seq(0, rep(UP, 24)), a.state);
    expect(replay.decisions).toHaveLength(0);
  });

  it('does not mutate the input state', () => {
    const s = run(seq(0, rep(UP, 11))).state;
    const copy = structuredClone(s);
    evaluateDistressWindow(s, win(55, UP), CFG);
    expect(s).toEqual(copy);
  });

  it('takes windows in seq order: a lower seq from the same device is ignored whatever its timestamps', () => {
    const first = run(seq(0, rep(UP, 6))); // seq 0..25
    const stale = run([win(200, CALM, { seq: 3 })], first.state);
    expect(stale.state).toEqual(first.state);
  });

  it('a window from another device (after a transfer) resets the evidence once and is then taken in its own seq order', () => {
    const first = run(seq(0, rep(UP, 6)));
    const moved = run(
      seq(30, rep(UP, 12), { deviceId: 'bed-02-agent', seq: 0 }).map((w, i) => ({ ...w, seq: i })),
      first.state,
    );
    expect(moved.decisions.map((d) => [d.type, endS(d)])).toEqual([['open', 90]]);
  });

  it('no timestamp stops the rule: a window dated 2099, then a clock that jumps back, then normal windows', () => {
    const future = win(0, UP, { clockOffsetS: Date.parse('2099-01-01T00:00:00Z') / 1000 - T0 / 1000 });
    const after = run([future, ...seq(5, rep(UP, 12))]);
    // The 2099 window counts once; the jump back is a gap that resets; the next 60 s open the alert.
    expect(after.decisions.map((d) => [d.type, endS(d)])).toEqual([['open', 65]]);
  });

  it('a device clock that jumps ahead mid-episode resets the evidence once, then it opens 60 s later', () => {
    const windows = [...seq(0, rep(UP, 6)), ...seq(30, rep(UP, 12), { clockOffsetS: 3600 })];
    const { decisions } = run(windows);
    expect(decisions.map((d) => [d.type, endS(d)])).toEqual([['open', 90]]);
  });

  it('ignores windows with non-finite scores', () => {
    const s = run(seq(0, rep(UP, 11))).state;
    const r = evaluateDistressWindow(s, win(55, Number.NaN), CFG);
    expect(r.state).toBe(s);
    expect(r.decision).toBeNull();
  });
});
