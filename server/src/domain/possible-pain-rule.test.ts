import type { FaceBlock } from '@attune/protocol';
import { describe, expect, it } from 'vitest';
import { CALM_WEARABLE } from '../../test/wearable-blocks.ts';
import { UNOBSERVED_PAINAD_TEXT } from './unobserved.ts';
import { FACE_ALONE_TEXT } from './possible-pain-explanation.ts';
import {
  evaluatePossiblePainWindow,
  initialPossiblePainState,
  resetPossiblePainAfterResolution,
  type PossiblePainDecision,
  type PossiblePainState,
  type PossiblePainWindow,
} from './possible-pain-rule.ts';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const S = 1000;

type FaceSigns = 'grimace' | 'frown' | 'pspi-only' | 'relaxed' | 'hidden' | 'blurred';

const FACES: Record<FaceSigns, Pick<FaceBlock, 'faceVisibleFraction' | 'pspi' | 'painadFace' | 'painadFaceBasis'>> = {
  grimace: { faceVisibleFraction: 0.9, pspi: 6.2, painadFace: 2, painadFaceBasis: { code: 'grimacing', fraction: 0.8, pspi: 6.2 } },
  frown: { faceVisibleFraction: 0.8, pspi: 1.5, painadFace: 1, painadFaceBasis: { code: 'frowning', fraction: 0.7 } },
  'pspi-only': { faceVisibleFraction: 0.8, pspi: 3.4, painadFace: 0, painadFaceBasis: { code: 'relaxed', frames: 10 } },
  relaxed: { faceVisibleFraction: 1, pspi: 0.3, painadFace: 0, painadFaceBasis: { code: 'relaxed', frames: 10 } },
  // Seen in too few frames to count either way, although the numbers would say pain.
  hidden: { faceVisibleFraction: 0.3, pspi: 6, painadFace: 2, painadFaceBasis: { code: 'grimacing', fraction: 0.3, pspi: 6 } },
  // Seen, but the agent could not score the pain signs.
  blurred: { faceVisibleFraction: 0.9, pspi: null, painadFace: null, painadFaceBasis: { code: 'face_not_seen', frames: 10 } },
};

interface WinOpts {
  seq?: number;
  deviceId?: string;
  lengthS?: number;
  /** A wristband on the wrist with a distress output: the face is no longer alone. */
  wearable?: boolean;
  clockOffsetS?: number;
}

/** A camera-only window starting `startS` seconds after T0 (5 s long by default), received as it ends. */
function win(startS: number, signs: FaceSigns, opts: WinOpts = {}): PossiblePainWindow {
  const lengthS = opts.lengthS ?? 5;
  const offsetS = opts.clockOffsetS ?? 0;
  const f = FACES[signs];
  const face: FaceBlock = {
    framesAnalysed: 10,
    negativeAffect: 0.2,
    expression: { neutral: 0.6, happy: 0.05, sad: 0.1, angry: 0.05, fearful: 0.05, disgusted: 0.05, surprised: 0.1 },
    actionUnits:
      f.pspi === null
        ? null
        : {
            au4BrowLowering: 2,
            au6au7OrbitalTightening: 2,
            au9au10NoseWrinkleLipRaise: 1,
            au43EyeClosure: 0.2,
            au20au25au27MouthStretchOpen: 0,
          },
    ...f,
  };
  return {
    deviceId: opts.deviceId ?? 'bed-03-agent',
    seq: opts.seq ?? startS,
    windowStart: new Date(T0 + (startS + offsetS) * S),
    windowEnd: new Date(T0 + (startS + offsetS + lengthS) * S),
    receivedAt: new Date(T0 + (startS + lengthS) * S),
    distress: 0.55,
    // A confident wearable is what the sustained-distress rule counts; a face alone is less sure.
    confidence: opts.wearable ? 0.8 : 0.45,
    drivers: [],
    face,
    ...(opts.wearable ? { wearable: CALM_WEARABLE } : {}),
    quality: {
      wearableCoverage: opts.wearable ? 1 : null,
      faceCoverage: f.faceVisibleFraction,
      unobserved: signs === 'blurred' ? ['pain_face'] : [],
    },
    models: { 'face-expression': '1.0.0' },
  };
}

function feed(windows: PossiblePainWindow[], state: PossiblePainState = initialPossiblePainState()) {
  const decisions: PossiblePainDecision[] = [];
  for (const w of windows) {
    const r = evaluatePossiblePainWindow(state, w);
    state = r.state;
    if (r.decision) decisions.push(r.decision);
  }
  return { state, decisions };
}

/** Consecutive 5 s windows from `fromS` (inclusive) to `toS` (exclusive). */
const run = (fromS: number, toS: number, signs: FaceSigns, opts: WinOpts = {}) =>
  Array.from({ length: (toS - fromS) / 5 }, (_, i) => win(fromS + i * 5, signs, opts));

describe('possible-pain rule', () => {
  it('opens after 60 s of face-only pain signs, at medium priority, saying it rests on the face alone', () => {
    const before = feed(run(0, 55, 'grimace'));
    expect(before.decisions).toEqual([]);
    const { decisions, state } = feed(run(0, 60, 'grimace'));
    expect(decisions).toHaveLength(1);
    const open = decisions[0]!;
    expect(open).toMatchObject({ type: 'open', priority: 'medium', at: new Date(T0 + 60 * S) });
    expect(state.active).not.toBeNull();
    expect(open.explanation.summary).toBe('Possible pain for 1 min from the face alone — grimacing, PSPI up to 6.2 of 16');
    expect(open.explanation.unobserved[0]).toBe(FACE_ALONE_TEXT);
    expect(open.explanation.unobserved).toContain(UNOBSERVED_PAINAD_TEXT);
    // The wearable's absence is worded by explanation.ts (describeUnobserved); only its presence is checked here.
    expect(open.explanation.unobserved.some((line) => line.startsWith('Heart rate, skin conductance and movement not measured'))).toBe(
      true,
    );
    const signals = open.explanation.evidence.map((e) => e.signal);
    expect(signals).toEqual(['painad_face', 'pspi', 'neutral_face_baseline', 'face_visible']);
    expect(open.explanation.evidence[1]).toMatchObject({ value: 6.2, threshold: 3, durationS: 60 });
    expect(open.explanation.evidence[2]!.text).toContain("patient's own neutral face has been learned");
    expect(open.explanation.painad).toEqual([{ item: 'Facial expression', score: 2, basis: expect.any(String) }]);
  });

  it('opens on PSPI alone, sustained; a frown alone (PAINAD face 1, which includes looking upset) is not a pain sign', () => {
    expect(feed(run(0, 60, 'pspi-only')).decisions.map((d) => d.type)).toEqual(['open']);
    expect(feed(run(0, 600, 'frown')).decisions).toEqual([]);
  });

  it('a wearable the distress rule cannot count (low confidence) leaves the face alone: possible pain still opens', () => {
    const windows = run(0, 60, 'grimace', { wearable: true }).map((w) => ({ ...w, confidence: 0.3 }));
    expect(feed(windows).decisions.map((d) => d.type)).toEqual(['open']);
  });

  it('never raises high priority, however long and strong the grimace', () => {
    const { decisions } = feed(run(0, 1800, 'grimace'));
    expect(decisions.length).toBeGreaterThan(10);
    expect(decisions.map((d) => d.type).filter((t) => t !== 'update')).toEqual(['open']);
    expect(new Set(decisions.map((d) => d.priority))).toEqual(new Set(['medium']));
  });

  it('leaves the patient to the sustained-distress rule when the wearable is observed', () => {
    expect(feed(run(0, 300, 'grimace', { wearable: true })).decisions).toEqual([]);
    // One wearable window in the middle of the run breaks it.
    const windows = [...run(0, 30, 'grimace'), win(30, 'grimace', { wearable: true }), ...run(35, 95, 'grimace')];
    const { decisions } = feed(windows);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.at).toEqual(new Date(T0 + 95 * S)); // 35 s + 60 s
  });

  it('tolerates no low-quality window in the opening run: a hidden, unscored or doubted face breaks it', () => {
    // The agent's reason code (quality.unobservedReasons.face, e.g. poor light) makes the window's numbers untrustworthy.
    const reasons = { unobservedReasons: { face: 'poor_light' as const } };
    const dark: PossiblePainWindow = { ...win(50, 'grimace'), quality: { ...win(50, 'grimace').quality, ...reasons } };
    for (const bad of [win(50, 'hidden'), win(50, 'blurred'), dark]) {
      const windows = [...run(0, 50, 'grimace'), bad, ...run(55, 110, 'grimace')];
      const { decisions } = feed(windows);
      expect(decisions.map((d) => d.type)).toEqual([]);
      expect(feed([...windows, win(110, 'grimace')]).decisions.map((d) => d.at)).toEqual([new Date(T0 + 115 * S)]);
    }
  });

  it('clears after 120 s of a visible face without pain signs, and not on frames it could not see', () => {
    const opened = feed(run(0, 60, 'grimace'));
    // A hidden face for 5 minutes neither clears nor updates a cleared state.
    const hidden = feed(run(60, 360, 'hidden'), opened.state);
    expect(hidden.decisions.map((d) => d.type).filter((t) => t === 'clear')).toEqual([]);
    expect(hidden.state.active).not.toBeNull();
    const relaxing = feed(run(360, 475, 'relaxed'), hidden.state);
    expect(relaxing.decisions.filter((d) => d.type === 'clear')).toEqual([]);
    const cleared = feed([win(475, 'relaxed')], relaxing.state);
    expect(cleared.decisions).toHaveLength(1);
    expect(cleared.decisions[0]).toMatchObject({ type: 'clear', priority: 'medium' });
    expect(cleared.decisions[0]!.explanation.summary).toBe(
      'Possible pain settled: face without pain signs for 2 min after 1 min of facial pain signs',
    );
    expect(cleared.state.active).toBeNull();
    // A blurred window in the calm run restarts the count.
    const interrupted = feed([...run(360, 420, 'relaxed'), win(420, 'blurred'), ...run(425, 540, 'relaxed')], hidden.state);
    expect(interrupted.decisions.filter((d) => d.type === 'clear')).toEqual([]);
  });

  it('ignores a duplicate or stale seq from the same device', () => {
    const first = feed(run(0, 55, 'grimace'));
    // A redelivered old window (seq 0) changes nothing and does not complete the run.
    const stale = evaluatePossiblePainWindow(first.state, win(55, 'grimace', { seq: 0 }));
    expect(stale.state).toBe(first.state);
    expect(stale.decision).toBeNull();
    const fresh = evaluatePossiblePainWindow(first.state, win(55, 'grimace'));
    expect(fresh.decision?.type).toBe('open');
  });

  it('breaks runs at a gap longer than 15 s, and a device clock jump cannot stop the rule', () => {
    const gapped = [...run(0, 40, 'grimace'), ...run(60, 100, 'grimace')];
    expect(feed(gapped).decisions).toEqual([]);
    // A 10 s gap is tolerated (the run spans it).
    expect(feed([...run(0, 30, 'grimace'), ...run(40, 70, 'grimace')]).decisions.map((d) => d.type)).toEqual(['open']);
    // The device clock jumps 3 h ahead mid-run: one break (the jumped window starts a fresh run),
    // and 60 s later the alert opens.
    const jumped = [...run(0, 30, 'grimace'), ...run(30, 95, 'grimace', { clockOffsetS: 3 * 3600 })];
    const { decisions } = feed(jumped);
    expect(decisions.map((d) => d.type)).toEqual(['open']);
    expect(decisions[0]!.at).toEqual(new Date(T0 + 90 * S));
  });

  it('after a resolution opens again only after a fresh full run', () => {
    const opened = feed(run(0, 60, 'grimace'));
    const reset = resetPossiblePainAfterResolution(opened.state);
    expect(reset.active).toBeNull();
    expect(feed(run(60, 115, 'grimace'), reset).decisions).toEqual([]);
    expect(feed(run(60, 120, 'grimace'), reset).decisions.map((d) => d.type)).toEqual(['open']);
  });

  it('opens nothing before the patient has a neutral-face baseline: no pain sign can be scored yet', () => {
    const noBaseline = run(0, 600, 'grimace').map((w) => ({ ...w, face: { ...w.face!, actionUnits: null, pspi: null, painadFace: null } }));
    expect(feed(noBaseline).decisions).toEqual([]);
  });
});
