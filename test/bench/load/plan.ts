/**
 * The load generator's workload: what each simulated bedside agent publishes, window by window,
 * and which of its windows must open an alert. Deterministic from a seed, so the generator knows
 * before the run which (device, seq) the server's own rules will answer with an `opened` alert.
 *
 * Most beds are calm (a low, noisy distress with a face seen in most windows); a fraction get one
 * scripted distress episode of a few minutes at a random time after the warm-up. The expected
 * alerts come from the server's pure rules run over each device's own windows, in seq order,
 * exactly as the server's alert engine feeds them.
 */
import type { ScoreWindow } from '@attune/protocol';
import { toRuleWindow } from '@attune/server';
import { distressRuleFor, evaluateDistressWindow, initialDistressState } from '@attune/server/distress-rule';
import { evaluatePossiblePainWindow, initialPossiblePainState } from '../../../server/src/domain/possible-pain-rule.ts';
import { mulberry32 } from '../../../models/src/tools/rng.ts';
import { makeWindow } from '../../support/system.ts';

/** One score window per 5 s: the edge agent's default `windowMs` (protocol/MQTT.md, scores). */
export const WINDOW_MS = 5000;

export interface BedPlan {
  /** Offset of this agent's window boundary within the 5 s period, ms: agents are not in lockstep. */
  phaseMs: number;
  distress: number[];
  confidence: number[];
  /** Whether the face was seen in window k (a calm face: no pain signs). */
  face: boolean[];
  episode: { startWindow: number; windows: number; peak: number } | null;
  /** Window indices (0-based) whose window opens a sustained-distress alert, by the server's rule. */
  expectedDistressOpens: number[];
  /** Same for the possible-pain rule (face only); the calm face never shows pain signs, so normally none. */
  expectedPainOpens: number[];
}

export interface PlanOptions {
  beds: number;
  windows: number;
  /** Windows at the start no episode may begin in (the run's warm-up). */
  warmupWindows: number;
  episodeFraction: number;
  seed: number;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const r3 = (x: number) => Math.round(x * 1000) / 1000;

const CALM_FACE: NonNullable<ScoreWindow['face']> = {
  framesAnalysed: 10,
  faceVisibleFraction: 0.9,
  negativeAffect: 0.12,
  negativeAffectAboveBaseline: 0.02,
  expression: { neutral: 0.78, happy: 0.06, sad: 0.05, angry: 0.02, fearful: 0.03, disgusted: 0.01, surprised: 0.05 },
  pspi: 0.4,
  painadFace: 0,
  painadFaceBasis: { code: 'relaxed', fraction: 0.9, pspi: 0.4 },
  actionUnits: {
    au4BrowLowering: 0.2,
    au6au7OrbitalTightening: 0.1,
    au9au10NoseWrinkleLipRaise: 0.1,
    au43EyeClosure: 0,
    au20au25au27MouthStretchOpen: 0.1,
  },
};

/** Window k of a bed as its agent publishes it: wearable always, the calm face when seen. */
export function windowFor(plan: BedPlan, k: number, deviceId: string, seq: number, endMs: number): ScoreWindow {
  const w = makeWindow(deviceId, seq, new Date(endMs), { distress: plan.distress[k]!, confidence: plan.confidence[k]! });
  if (!plan.face[k]) {
    return {
      ...w,
      quality: {
        wearableCoverage: 1,
        faceCoverage: 0,
        unobserved: ['face', 'expression', 'pain_face'],
        unobservedReasons: { face: 'turned_away' },
      },
    };
  }
  return { ...w, face: CALM_FACE, quality: { wearableCoverage: 1, faceCoverage: 0.9, unobserved: [] } };
}

/** Builds every bed's windows and runs the server's rules over them to find the expected alerts. */
export function planBeds(o: PlanOptions): BedPlan[] {
  const rand = mulberry32(o.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const episodeBeds = new Set<number>();
  const wanted = Math.round(o.beds * o.episodeFraction);
  while (episodeBeds.size < Math.min(wanted, o.beds)) episodeBeds.add(Math.floor(rand() * o.beds));

  return Array.from({ length: o.beds }, (_, b) => {
    const baseline = 0.08 + rand() * 0.15;
    const distress: number[] = [];
    const confidence: number[] = [];
    const face: boolean[] = [];
    for (let k = 0; k < o.windows; k++) {
      distress.push(r3(clamp(baseline + 0.05 * gauss(), 0.01, 0.6)));
      // Now and then the wristband reads poorly (loose strap, movement): low confidence.
      confidence.push(r3(rand() < 0.02 ? 0.3 : clamp(0.82 + 0.04 * gauss(), 0.55, 0.99)));
      face.push(rand() < 0.7);
    }
    let episode: BedPlan['episode'] = null;
    if (episodeBeds.has(b)) {
      // 2 to 4 minutes, starting late enough after the warm-up and early enough that at least two
      // minutes of it fall inside the run (the rule needs 1.5 to 2 minutes of it to open).
      const windows = 24 + Math.floor(rand() * 25);
      const latest = Math.max(o.warmupWindows, o.windows - 24);
      const startWindow = o.warmupWindows + Math.floor(rand() * (latest - o.warmupWindows + 1));
      const peak = 0.85 + rand() * 0.12;
      episode = { startWindow, windows, peak: r3(peak) };
      for (let i = 0; i < windows && startWindow + i < o.windows; i++) {
        const k = startWindow + i;
        // A ramp of three windows up and down, then the peak with a little noise.
        const ramp = Math.min(1, (i + 1) / 3, (windows - i) / 3);
        distress[k] = r3(clamp(baseline + (peak - baseline) * ramp + 0.02 * gauss(), 0.01, 0.99));
        confidence[k] = r3(clamp(0.85 + 0.03 * gauss(), 0.6, 0.99));
      }
    }
    const plan: BedPlan = {
      phaseMs: Math.floor(rand() * WINDOW_MS),
      distress,
      confidence,
      face,
      episode,
      expectedDistressOpens: [],
      expectedPainOpens: [],
    };
    // The rules depend only on the windows' contents, lengths and gaps, not on the wall clock.
    let distressState = initialDistressState();
    let painState = initialPossiblePainState();
    const rule = distressRuleFor(null);
    for (let k = 0; k < o.windows; k++) {
      const endMs = 1_000_000_000_000 + k * WINDOW_MS;
      const rw = toRuleWindow(windowFor(plan, k, 'plan', k + 1, endMs), new Date(endMs));
      const d = evaluateDistressWindow(distressState, rw, rule);
      distressState = d.state;
      if (d.decision?.type === 'open') plan.expectedDistressOpens.push(k);
      const p = evaluatePossiblePainWindow(painState, rw);
      painState = p.state;
      if (p.decision?.type === 'open') plan.expectedPainOpens.push(k);
    }
    return plan;
  });
}
