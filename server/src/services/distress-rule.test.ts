import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DISTRESS_RULE,
  evaluateDistressWindow,
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

interface Step {
  window: RuleWindow;
  decision: DistressDecision | null;
}

/** Feeds windows in order; every state goes through a JSON round trip, as if stored between windows. */
function run(
  windows: RuleWindow[],
  state: DistressRuleState = initialDistressState(),
  config?: Partial<DistressRuleConfig>,
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
  it('match the design', () => {
    expect(DEFAULT_DISTRESS_RULE).toEqual({
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
  });

  it('starts idle with a JSON-serialisable state', () => {
    const s = initialDistressState();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.active).toBeNull();
  });
});

describe('opening', () => {
  it('opens exactly when the 60 s run completes, not before', () => {
    const { steps } = run(seq(0, rep(0.75, 12)));
    expect(steps.slice(0, 11).every((s) => s.decision === null)).toBe(true);
    const d = steps[11]!.decision!;
    expect(d.type).toBe('open');
    expect(d.priority).toBe('medium');
    expect(endS(d)).toBe(60);
    const fused = d.explanation.evidence.find((e) => e.signal === 'distress')!;
    expect(fused).toMatchObject({ value: 0.75, threshold: 0.7, durationS: 60 });
  });

  it('measures the run from the first windowStart to the latest windowEnd, whatever the window length', () => {
    // 20 s windows: 0-20, 20-40, 40-60
    const { steps } = run([win(0, 0.8, { lengthS: 20 }), win(20, 0.8, { lengthS: 20 }), win(40, 0.8, { lengthS: 20 })]);
    expect(steps.map((s) => s.decision?.type ?? null)).toEqual([null, null, 'open']);
  });

  it('a single calm window resets the run', () => {
    const values = [...rep(0.8, 11), 0.3, ...rep(0.8, 12)];
    const { steps, decisions } = run(seq(0, values));
    expect(decisions).toHaveLength(1);
    // the calm window is index 11; a new full run of 12 windows ends at index 23
    expect(steps.findIndex((s) => s.decision !== null)).toBe(23);
    expect(endS(decisions[0]!)).toBe(120);
  });

  it('a window between the thresholds (not qualifying) also breaks the run', () => {
    const { decisions } = run(seq(0, [...rep(0.8, 11), 0.6, ...rep(0.8, 11)]));
    expect(decisions).toHaveLength(0);
  });

  it('a 20 s gap resets the run', () => {
    // 0..30 s, then nothing until 50 s (20 s gap), then windows from 50 s
    const windows = [...seq(0, rep(0.8, 6)), ...seq(50, rep(0.8, 12))];
    const { steps, decisions } = run(windows);
    expect(decisions).toHaveLength(1);
    expect(steps.findIndex((s) => s.decision !== null)).toBe(6 + 11);
    expect(endS(decisions[0]!)).toBe(110);
  });

  it('a gap of at most 15 s does not break the run (and counts as elapsed time)', () => {
    // 0..30 s, gap 15 s, 45..60 s: first windowStart 0 to windowEnd 60 = 60 s
    const windows = [...seq(0, rep(0.8, 6)), ...seq(45, rep(0.8, 3))];
    const { steps } = run(windows);
    expect(steps.map((s) => s.decision?.type ?? null).at(-1)).toBe('open');
    expect(steps.slice(0, -1).every((s) => s.decision === null)).toBe(true);
  });

  it('low-confidence windows do not open, however high the distress', () => {
    const { decisions } = run(seq(0, rep(0.95, 60), { confidence: 0.4 }));
    expect(decisions).toHaveLength(0);
  });

  it('a low-confidence window breaks the opening run', () => {
    const windows = seq(0, rep(0.9, 23));
    windows[11] = win(55, 0.9, { confidence: 0.49 });
    const { steps, decisions } = run(windows);
    expect(decisions).toHaveLength(0);
    expect(steps.every((s) => s.decision === null)).toBe(true);
    const more = run([win(115, 0.9)], run(windows).state);
    expect(more.decisions.map((d) => d.type)).toEqual(['open']);
  });

  it('accepts a config override', () => {
    const { steps } = run(seq(0, rep(0.8, 6)), initialDistressState(), { openSustainS: 30 });
    expect(steps.map((s) => s.decision?.type ?? null)).toEqual([null, null, null, null, null, 'open']);
  });

  it('the open explanation names the baseline delta and the unobserved PAINAD items', () => {
    const { decisions } = run(seq(0, [0.8, 0.91, ...rep(0.8, 10)]));
    const e = decisions[0]!.explanation;
    expect(e.summary).toBe(
      'Sustained distress for 1 min, peak 0.91 — heart rate 24 bpm above baseline, frequent skin conductance responses',
    );
    expect(e.unobserved).toContain(UNOBSERVED_PAINAD_TEXT);
    expect(e.unobserved).toContain('Face not visible (camera not consented)');
    expect(e.models).toEqual({ 'wearable-distress': '1.0.0' });
  });
});

describe('priority', () => {
  it('opens high when >= 0.85 was sustained for 30 s', () => {
    const { decisions } = run(seq(0, rep(0.9, 12)));
    expect(decisions.map((d) => [d.type, d.priority])).toEqual([['open', 'high']]);
  });

  it('opens high when the 30 s high run happened earlier in the same opening run', () => {
    const { decisions } = run(seq(0, [...rep(0.9, 6), ...rep(0.75, 6)]));
    expect(decisions.map((d) => [d.type, d.priority])).toEqual([['open', 'high']]);
  });

  it('opens medium when the high run was only 25 s', () => {
    const { decisions } = run(seq(0, [...rep(0.9, 5), ...rep(0.75, 7)]));
    expect(decisions.map((d) => [d.type, d.priority])).toEqual([['open', 'medium']]);
  });

  it('a high run from an earlier, broken opening run does not count', () => {
    const values = [...rep(0.9, 6), 0.3, ...rep(0.75, 12)];
    const { decisions } = run(seq(0, values));
    expect(decisions.map((d) => [d.type, d.priority])).toEqual([['open', 'medium']]);
  });

  it('a high run before a gap that broke the opening run does not count', () => {
    // 30 s at 0.9, a 20 s gap, then a fresh 60 s run at 0.75 starting right after the gap
    const { decisions } = run([...seq(0, rep(0.9, 6)), ...seq(50, rep(0.75, 12))]);
    expect(decisions.map((d) => [d.type, d.priority, endS(d)])).toEqual([['open', 'medium', 110]]);
  });

  it('escalates medium -> high once, when the 30 s high run completes while open, and never de-escalates', () => {
    const values = [...rep(0.75, 12), ...rep(0.9, 6), ...rep(0.9, 6), ...rep(0.72, 40)];
    const { steps, decisions } = run(seq(0, values));
    expect(decisions[0]).toMatchObject({ type: 'open', priority: 'medium' });
    // 0.9 windows start at 60 s; the 6th ends at 90 s
    const esc = decisions.filter((d) => d.type === 'escalate');
    expect(esc).toHaveLength(1);
    expect(endS(esc[0]!)).toBe(90);
    expect(steps.findIndex((s) => s.decision?.type === 'escalate')).toBe(17);
    expect(esc[0]!.priority).toBe('high');
    const later = decisions.slice(decisions.indexOf(esc[0]!) + 1);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((d) => d.type === 'update' && d.priority === 'high')).toBe(true);
    // the escalation counts as a decision for the update interval
    expect(later.map(endS)).toEqual([150, 210, 270]); // windows end at 320 s
  });

  it('escalation is not throttled by the update interval', () => {
    // open at 60 s (medium), 0.9 from 60 s: escalation at 90 s, only 30 s after opening
    const { decisions } = run(seq(0, [...rep(0.75, 12), ...rep(0.9, 6)]));
    expect(decisions.map((d) => [d.type, endS(d)])).toEqual([
      ['open', 60],
      ['escalate', 90],
    ]);
  });
});

describe('updates while active', () => {
  it('emits at most one update per 60 s', () => {
    const { decisions } = run(seq(0, rep(0.8, 60))); // 0..300 s
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
      windows.push(win(t, 0.8, { lengthS: len }));
      t += len;
    }
    const { decisions } = run(windows);
    expect(decisions[0]!.type).toBe('open');
    const times = decisions.map(endS);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(60);
    expect(decisions.slice(1).every((d) => d.type === 'update')).toBe(true);
    expect(decisions.length).toBeGreaterThanOrEqual(4);
  });

  it('updates carry the refreshed peak and duration', () => {
    const { decisions } = run(seq(0, [...rep(0.8, 15), 0.93, ...rep(0.8, 8)])); // to 120 s
    const upd = decisions.find((d) => d.type === 'update')!;
    expect(endS(upd)).toBe(120);
    expect(upd.explanation.summary).toMatch(/^Sustained distress for 2 min, peak 0\.93/);
    expect(upd.explanation.evidence.find((e) => e.signal === 'distress')).toMatchObject({ durationS: 120, value: 0.8 });
  });

  it('a low-confidence reading does not raise the peak', () => {
    const windows = seq(0, rep(0.8, 24));
    windows[14] = win(70, 0.99, { confidence: 0.3 });
    const upd = run(windows).decisions.find((d) => d.type === 'update')!;
    expect(upd.explanation.summary).toMatch(/peak 0\.80/);
  });
});

describe('clearing', () => {
  const open = () => run(seq(0, rep(0.8, 12)));

  it('clears only after 120 s of confirmed calm', () => {
    const opened = open();
    const { steps, decisions } = run(seq(60, rep(0.3, 24)), opened.state);
    const idx = steps.findIndex((s) => s.decision?.type === 'clear');
    expect(idx).toBe(23); // the 24th calm window ends 120 s after the calm began
    expect(endS(decisions.find((d) => d.type === 'clear')!)).toBe(180);
    expect(steps.slice(0, 23).some((s) => s.decision?.type === 'clear')).toBe(false);
    const clear = steps[23]!.decision!;
    expect(clear.priority).toBe('medium');
    expect(clear.explanation.summary).toBe('Distress settled: calm for 2 min after 1 min of sustained distress, peak 0.80');
  });

  it('low-confidence calm does not clear', () => {
    const opened = open();
    const { decisions } = run(seq(60, rep(0.1, 60), { confidence: 0.3 }), opened.state);
    expect(decisions.some((d) => d.type === 'clear')).toBe(false);
    expect(decisions.length).toBeGreaterThan(0); // still active: updates continue
  });

  it('a low-confidence window restarts the calm count', () => {
    const opened = open();
    const windows = seq(60, rep(0.3, 30));
    windows[20] = win(160, 0.3, { confidence: 0.2 });
    const { steps } = run(windows, opened.state);
    // calm restarts at window 21 (165 s); 24 more windows needed -> never within these 30 windows
    expect(steps.some((s) => s.decision?.type === 'clear')).toBe(false);
    const more = run(seq(210, rep(0.3, 15)), run(windows, opened.state).state);
    const clearIdx = more.steps.findIndex((s) => s.decision?.type === 'clear');
    expect(clearIdx).toBe(14); // 165 s + 120 s = 285 s = 210 + 15 * 5
  });

  it('after clearing, a new full run opens again', () => {
    const opened = open();
    const cleared = run(seq(60, rep(0.3, 24)), opened.state);
    expect(cleared.state.active).toBeNull();
    const again = run(seq(180, rep(0.8, 12)), cleared.state);
    expect(again.decisions.map((d) => [d.type, endS(d)])).toEqual([['open', 240]]);
  });
});

describe('hysteresis', () => {
  const flap = (fromS: number, n: number, a: number, b: number) =>
    seq(
      fromS,
      Array.from({ length: n }, (_, i) => (i % 2 === 0 ? a : b)),
    );

  it('flapping around 0.6 while idle never opens', () => {
    expect(run(flap(0, 120, 0.55, 0.65)).decisions).toHaveLength(0);
    expect(run(flap(0, 120, 0.45, 0.75)).decisions).toHaveLength(0);
  });

  it('flapping around 0.6 while open neither clears nor opens a second time', () => {
    const opened = run(seq(0, rep(0.8, 12)));
    for (const [a, b] of [
      [0.55, 0.65],
      [0.45, 0.75],
      [0.4, 0.6],
    ] as const) {
      const { decisions, state } = run(flap(60, 120, a, b), opened.state); // 10 min
      expect(decisions.filter((d) => d.type !== 'update')).toEqual([]);
      expect(decisions.length).toBeLessThanOrEqual(10);
      expect(state.active).not.toBeNull();
    }
  });
});

describe('resetAfterResolution', () => {
  it('needs a fresh full run after resolution even while distress continues', () => {
    const opened = run(seq(0, rep(0.8, 14))); // active, 70 s
    const reset = resetAfterResolution(opened.state);
    expect(reset.active).toBeNull();
    const { steps } = run(seq(70, rep(0.8, 12)), reset);
    expect(steps.slice(0, 11).every((s) => s.decision === null)).toBe(true);
    expect(steps[11]!.decision).toMatchObject({ type: 'open' });
    expect(endS(steps[11]!.decision!)).toBe(130);
  });

  it('forgets a partial run and a high run from before the resolution', () => {
    const partial = run(seq(0, rep(0.9, 11))); // 55 s of high distress, not yet open
    const reset = resetAfterResolution(partial.state);
    const { steps } = run(seq(55, [...rep(0.9, 5), ...rep(0.75, 7)]), reset);
    expect(steps.slice(0, 11).every((s) => s.decision === null)).toBe(true);
    expect(steps[11]!.decision).toMatchObject({ type: 'open', priority: 'medium' });
  });

  it('is no time cut-off: a device clock hours behind the server cannot hold the rule back', () => {
    const opened = run(seq(0, rep(0.8, 12)));
    const reset = resetAfterResolution(opened.state);
    // The device's clock now reads 3 h behind; its windows still open a fresh alert after 60 s.
    const behind = run(seq(60, rep(0.8, 12), { clockOffsetS: -3 * 3600 }), reset);
    expect(behind.decisions.map((d) => [d.type, endS(d)])).toEqual([['open', 120]]);
  });

  it('does not modify the state passed in', () => {
    const opened = run(seq(0, rep(0.8, 12)));
    const copy = structuredClone(opened.state);
    resetAfterResolution(opened.state);
    expect(opened.state).toEqual(copy);
  });
});

describe('ordering', () => {
  it('ignores a duplicate window', () => {
    const opened = run(seq(0, rep(0.8, 12)));
    const dup = seq(0, rep(0.8, 12))[11]!;
    const r = evaluateDistressWindow(opened.state, dup);
    expect(r.decision).toBeNull();
    expect(r.state).toBe(opened.state);
  });

  it('ignores an out-of-order window, which therefore cannot break a run', () => {
    const first = run(seq(0, rep(0.8, 6))); // to 30 s
    const stale = run([win(10, 0.1, { lengthS: 5 })], first.state);
    expect(stale.state).toEqual(first.state);
    const { decisions } = run(seq(30, rep(0.8, 6)), stale.state);
    expect(decisions.map((d) => [d.type, endS(d)])).toEqual([['open', 60]]);
  });

  it('ignores a replayed window while active (no extra update)', () => {
    const a = run(seq(0, rep(0.8, 24))); // open at 60, update at 120
    expect(a.decisions.map((d) => d.type)).toEqual(['open', 'update']);
    const replay = run(seq(0, rep(0.8, 24)), a.state);
    expect(replay.decisions).toHaveLength(0);
  });

  it('does not mutate the input state', () => {
    const s = run(seq(0, rep(0.8, 11))).state;
    const copy = structuredClone(s);
    evaluateDistressWindow(s, win(55, 0.8));
    expect(s).toEqual(copy);
  });

  it('takes windows in seq order: a lower seq from the same device is ignored whatever its timestamps', () => {
    const first = run(seq(0, rep(0.8, 6))); // seq 0..25
    const stale = run([win(200, 0.1, { seq: 3 })], first.state);
    expect(stale.state).toEqual(first.state);
  });

  it('a window from another device (after a transfer) breaks the runs once and is then taken in its own seq order', () => {
    const first = run(seq(0, rep(0.8, 6)));
    const moved = run(
      seq(30, rep(0.8, 12), { deviceId: 'bed-02-agent', seq: 0 }).map((w, i) => ({ ...w, seq: i })),
      first.state,
    );
    expect(moved.decisions.map((d) => [d.type, endS(d)])).toEqual([['open', 90]]);
  });

  it('no timestamp stops the rule: a window dated 2099, then a clock that jumps back, then normal windows', () => {
    const future = win(0, 0.8, { clockOffsetS: Date.parse('2099-01-01T00:00:00Z') / 1000 - T0 / 1000 });
    const after = run([future, ...seq(5, rep(0.8, 12))]);
    // The 2099 window breaks the run once (a gap); the next 60 s of distress open the alert.
    expect(after.decisions.map((d) => [d.type, endS(d)])).toEqual([['open', 65]]);
  });

  it('a device clock that jumps ahead mid-episode breaks the run once, then it opens 60 s later', () => {
    const windows = [...seq(0, rep(0.8, 6)), ...seq(30, rep(0.8, 12), { clockOffsetS: 3600 })];
    const { decisions } = run(windows);
    expect(decisions.map((d) => [d.type, endS(d)])).toEqual([['open', 90]]);
  });

  it('ignores windows with non-finite scores', () => {
    const s = run(seq(0, rep(0.8, 11))).state;
    const r = evaluateDistressWindow(s, win(55, Number.NaN));
    expect(r.state).toBe(s);
    expect(r.decision).toBeNull();
  });
});
