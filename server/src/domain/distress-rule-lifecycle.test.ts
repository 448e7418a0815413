/** The distress rule after an alert opens: clearing, no flapping, a nurse's resolution, and window order. */
import { describe, expect, it } from 'vitest';
import { evaluateDistressWindow, resetAfterResolution } from './distress-rule.ts';
import { at, CALM, CFG, endS, rep, run, seq, T0, UP, win } from '../../test/distress-rule-windows.ts';

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
