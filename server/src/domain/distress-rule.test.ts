import { describe, expect, it } from 'vitest';
import {
  ALERT_SENSITIVITIES,
  DEFAULT_DISTRESS_RULE,
  distressRuleFor,
  evidenceThreshold,
  initialDistressState,
  type RuleWindow,
} from './distress-rule.ts';
import { UNOBSERVED_PAINAD_TEXT } from './unobserved.ts';
import { at, CALM, CFG, E, endS, rep, run, seq, UP, win } from '../../test/distress-rule-windows.ts';

describe('defaults', () => {
  it('match the design: evidence against the model base rate, chosen with the alert evaluation harness', () => {
    // A window adds evidence above about 0.39 (what the explanation shows as the threshold).
    expect(evidenceThreshold(DEFAULT_DISTRESS_RULE)).toBeCloseTo(0.387, 2);
    // 0.7 adds logit(0.7) - logit(0.341) - 0.2 = 1.31 a second: open at 180 (138 s), high at 360 (276 s),
    // an update every 60 s between. Then 0.01 (-4.14 a second) spends the 360 in 87 s, and 120 s of calm clears.
    const { decisions } = run(seq(0, [...rep(0.7, 56), ...rep(0.01, 41)]), initialDistressState(), {});
    expect(decisions.map((d) => [d.type, endS(d)])).toEqual([
      ['open', 140],
      ['update', 200],
      ['update', 260],
      ['escalate', 280],
      ['update', 340],
      ['update', 400],
      ['update', 460],
      ['clear', 485],
    ]);
    // Windows below 0.5 confidence add no evidence.
    expect(run(seq(0, rep(0.95, 60), { confidence: 0.49 }), initialDistressState(), {}).decisions).toHaveLength(0);
    expect(run(seq(0, rep(0.95, 60), { confidence: 0.5 }), initialDistressState(), {}).decisions).not.toHaveLength(0);
    // A gap of 15 s between windows keeps the evidence of 100 s of 0.7; a longer one starts the count again.
    const opensAfterGapS = (gapS: number) =>
      run([...seq(0, rep(0.7, 20)), ...seq(100 + gapS, rep(0.7, 40))], initialDistressState(), {}).decisions.map(endS)[0];
    expect(opensAfterGapS(15)).toBe(155);
    expect(opensAfterGapS(16)).toBe(256);
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
