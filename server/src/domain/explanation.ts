/**
 * Builds the structured explanation a nurse reads on an alert: a one-line summary, the evidence
 * (signal, value, threshold or the patient's own baseline, how long), PAINAD items where the system
 * can say something, what it could not observe, and the model versions.
 *
 * Pure functions: no I/O and no clock; every time comes from the caller.
 * Wording rules: plain clinical English, no jargon beyond the PAINAD and PSPI names, "the patient"
 * rather than a pronoun.
 */
import { formatElapsed, type Driver, type FaceBlock, type Quality, type WearableBlock } from '@attune/protocol';
import type { EvidenceItem, Explanation, PainadItem } from './alert-types.ts';
import { describeDriver, describePainadFaceBasis } from './driver-words.ts';
import { describeUnobserved } from './unobserved.ts';

/** The parts of a score window an explanation is built from. */
export interface DistressObservation {
  distress: number;
  confidence: number;
  drivers: Driver[];
  face?: FaceBlock;
  wearable?: WearableBlock;
  quality: Quality;
  models: Record<string, string>;
}

/** What the rule knows about the episode beyond the current window. */
export interface DistressEpisodeContext {
  /** How long distress has been sustained, seconds (episode start to the latest distressed window). */
  durationS: number;
  /** Highest confident distress score in the episode, 0..1. */
  peakDistress: number;
  /** Distress threshold for opening the alert (0.7 by default). */
  openThreshold: number;
  /** Minimum confidence for a window to count (0.5 by default). */
  minConfidence: number;
  /** Skin conductance level at the start of the episode, microsiemens, to say whether it is rising. */
  sclAtStartUs?: number | null;
  /** Set when the condition cleared: seconds of confirmed calm, with the calm threshold. */
  calm?: { forS: number; threshold: number } | null;
}

/** Heart rate this far above the patient's own baseline is named in the summary, bpm. */
const HR_DELTA_NOTABLE_BPM = 10;
/** Without a personal baseline, a heart rate at or above this is named in the summary, bpm. */
const HR_HIGH_BPM = 100;
/** Skin conductance counts as rising when it is this much above the episode start (both must hold). */
const SCL_RISE_MIN_US = 0.3;
const SCL_RISE_MIN_FRACTION = 0.1;
/** Skin conductance responses per minute at or above this are called frequent (rest is about 1-3/min). */
const SCR_FREQUENT_PER_MIN = 6;
/** Movement levels (mean deviation from 1 g) used for words only. */
const ACTIVITY_SOME_G = 0.05;
const ACTIVITY_RESTLESS_G = 0.15;
/** Action units at or above this FACS intensity (0..5) are listed as evidence. */
const AU_NOTABLE = 1;
/** Eye closure (0..1) at or above this is listed as evidence. */
const EYE_CLOSURE_NOTABLE = 0.5;
/** Negative facial expression at or above this is named in the summary. */
/** A rise of negative affect above the patient's own neutral face worth naming (the agent's "looks upset" level). */
const NEGATIVE_AFFECT_RISE_NOTABLE = 0.25;
/** PSPI (0..16) at or above this is named in the summary. */
const PSPI_NOTABLE = 4;

const score2 = (n: number) => n.toFixed(2);
/** A number with one decimal, and a fraction as a whole percentage, as every explanation writes them. */
export const one = (n: number) => (Math.round(n * 10) / 10).toString();
export const pct = (fraction: number) => `${Math.round(fraction * 100)}%`;

/** One evidence line: the words a nurse reads and the numbers behind them (absent ones null). */
export function evidenceItem(signal: string, text: string, fields: Partial<Omit<EvidenceItem, 'signal' | 'text'>> = {}): EvidenceItem {
  return {
    signal,
    text,
    value: fields.value ?? null,
    unit: fields.unit ?? null,
    threshold: fields.threshold ?? null,
    baseline: fields.baseline ?? null,
    durationS: fields.durationS ?? null,
  };
}

function movementWords(activityG: number): string {
  if (activityG >= ACTIVITY_RESTLESS_G) return 'frequent movement';
  if (activityG >= ACTIVITY_SOME_G) return 'some movement';
  return 'little movement';
}

/** Whether the camera actually saw the face in this window. */
function faceSeen(obs: DistressObservation): obs is DistressObservation & { face: FaceBlock } {
  return obs.face !== undefined && obs.face.faceVisibleFraction > 0 && !obs.quality.unobserved.includes('face');
}

function sclRising(w: WearableBlock, sclAtStartUs: number | null | undefined): boolean {
  if (w.sclUs === null || sclAtStartUs === null || sclAtStartUs === undefined) return false;
  const rise = w.sclUs - sclAtStartUs;
  return rise >= SCL_RISE_MIN_US && rise >= sclAtStartUs * SCL_RISE_MIN_FRACTION;
}

function wearableEvidence(w: WearableBlock, ctx: DistressEpisodeContext): EvidenceItem[] {
  const out: EvidenceItem[] = [];
  if (!w.onWrist) return out; // readings from a sensor off the wrist are not evidence
  if (w.hrBpm !== null) {
    const hr = Math.round(w.hrBpm);
    if (w.hrBaselineBpm !== null) {
      const base = Math.round(w.hrBaselineBpm);
      const delta = hr - base;
      const rel = delta === 0 ? 'the same as' : delta > 0 ? `${delta} bpm above` : `${-delta} bpm below`;
      out.push(
        evidenceItem('heart_rate', `Heart rate ${hr} bpm, ${rel} the patient's own baseline of ${base} bpm`, {
          value: w.hrBpm,
          unit: 'bpm',
          baseline: w.hrBaselineBpm,
        }),
      );
    } else {
      out.push(evidenceItem('heart_rate', `Heart rate ${hr} bpm (no personal baseline yet)`, { value: w.hrBpm, unit: 'bpm' }));
    }
  }
  if (w.rmssdMs !== null) {
    out.push(
      evidenceItem('hrv_rmssd', `Heart-rate variability (RMSSD) ${Math.round(w.rmssdMs)} ms; lower values go with stress or pain`, {
        value: w.rmssdMs,
        unit: 'ms',
      }),
    );
  }
  if (w.sclUs !== null) {
    const start = ctx.sclAtStartUs ?? null;
    let trend = '';
    if (start !== null) {
      if (sclRising(w, start)) trend = `, rising from ${one(start)} µS at the start of the episode`;
      else trend = ` (${one(start)} µS at the start of the episode)`;
    }
    out.push(
      evidenceItem('skin_conductance_level', `Skin conductance ${one(w.sclUs)} µS${trend}`, {
        value: w.sclUs,
        unit: 'µS',
        baseline: start,
      }),
    );
  }
  if (w.scrPerMin !== null) {
    const freq = w.scrPerMin >= SCR_FREQUENT_PER_MIN ? ' (frequent)' : '';
    out.push(
      evidenceItem('skin_conductance_responses', `Skin conductance responses ${one(w.scrPerMin)} per minute${freq}`, {
        value: w.scrPerMin,
        unit: '/min',
        threshold: SCR_FREQUENT_PER_MIN,
      }),
    );
  }
  if (w.tempC !== null) {
    out.push(evidenceItem('skin_temperature', `Skin temperature ${one(w.tempC)} °C`, { value: w.tempC, unit: '°C' }));
  }
  if (w.activityG !== null) {
    out.push(
      evidenceItem('activity', `Movement ${w.activityG.toFixed(2)} g: ${movementWords(w.activityG)}`, {
        value: w.activityG,
        unit: 'g',
      }),
    );
  }
  return out;
}

const AU_WORDS: [keyof NonNullable<FaceBlock['actionUnits']>, string][] = [
  ['au4BrowLowering', 'Brow lowered'],
  ['au6au7OrbitalTightening', 'Eyes tightened'],
  ['au9au10NoseWrinkleLipRaise', 'Nose wrinkled or upper lip raised'],
];
// Mouth opening (AU25-27) is left out on purpose: talking, yawning, coughing, mouth-breathing and
// oxygen masks open mouths, and PSPI does not count it.

function faceEvidence(f: FaceBlock): EvidenceItem[] {
  const out: EvidenceItem[] = [];
  out.push(
    evidenceItem(
      'negative_affect',
      f.negativeAffectAboveBaseline === null || f.negativeAffectAboveBaseline === undefined
        ? `Negative facial expression (sad, angry, fearful or disgusted) ${score2(f.negativeAffect)}, not yet compared with the patient's own neutral face; ` +
            `face visible in ${pct(f.faceVisibleFraction)} of frames`
        : `Negative facial expression (sad, angry, fearful or disgusted) ${score2(f.negativeAffectAboveBaseline)} above the patient's own neutral face, ` +
            `face visible in ${pct(f.faceVisibleFraction)} of frames`,
      { value: f.negativeAffectAboveBaseline ?? f.negativeAffect, ...(f.negativeAffectAboveBaseline != null ? { baseline: 0 } : {}) },
    ),
  );
  if (f.pspi !== null) {
    out.push(
      evidenceItem('pspi', `Facial pain intensity (PSPI) ${one(f.pspi)} of 16, compared with the patient's own neutral face`, {
        value: f.pspi,
        unit: '/16',
        baseline: 0,
      }),
    );
  }
  if (f.actionUnits === null) return out; // no neutral baseline yet: nothing measured, nothing claimed
  for (const [key, words] of AU_WORDS) {
    const v = f.actionUnits[key];
    if (v >= AU_NOTABLE) out.push(evidenceItem(key, `${words}, intensity ${one(v)} of 5`, { value: v, unit: '/5' }));
  }
  const closure = f.actionUnits.au43EyeClosure;
  if (closure >= EYE_CLOSURE_NOTABLE) {
    out.push(evidenceItem('au43EyeClosure', `Eyes closed or squeezed shut (${pct(closure)})`, { value: closure }));
  }
  return out;
}

function painadItems(obs: DistressObservation): PainadItem[] {
  const out: PainadItem[] = [];
  if (faceSeen(obs) && obs.face.painadFace !== null) {
    out.push({ item: 'Facial expression', score: obs.face.painadFace, basis: describePainadFaceBasis(obs.face.painadFaceBasis) });
  }
  const w = obs.wearable;
  if (w && w.onWrist && w.activityG !== null) {
    out.push({
      item: 'Body language',
      score: null,
      basis:
        `Hint only, from wrist movement: ${movementWords(w.activityG)} (${w.activityG.toFixed(2)} g). ` +
        'Tension, fidgeting or guarding need a bedside look',
    });
  }
  return out;
}

/** Short reasons for the summary line, most telling first. */
function summaryReasons(obs: DistressObservation, ctx: DistressEpisodeContext): string[] {
  const reasons: string[] = [];
  const w = obs.wearable;
  if (w && w.onWrist) {
    if (w.hrBpm !== null && w.hrBaselineBpm !== null) {
      const delta = Math.round(w.hrBpm) - Math.round(w.hrBaselineBpm);
      if (delta >= HR_DELTA_NOTABLE_BPM) reasons.push(`heart rate ${delta} bpm above baseline`);
    } else if (w.hrBpm !== null && w.hrBpm >= HR_HIGH_BPM) {
      reasons.push(`heart rate ${Math.round(w.hrBpm)} bpm`);
    }
    if (sclRising(w, ctx.sclAtStartUs)) reasons.push('skin conductance rising');
    else if (w.scrPerMin !== null && w.scrPerMin >= SCR_FREQUENT_PER_MIN) {
      reasons.push('frequent skin conductance responses');
    }
  }
  if (faceSeen(obs)) {
    const f = obs.face;
    if (f.painadFace === 2) reasons.push('grimacing');
    else if (f.pspi !== null && f.pspi >= PSPI_NOTABLE) reasons.push(`facial pain signs (PSPI ${one(f.pspi)})`);
    else if ((f.negativeAffectAboveBaseline ?? 0) >= NEGATIVE_AFFECT_RISE_NOTABLE) reasons.push('more distressed expression than usual');
  }
  if (w && w.onWrist && w.activityG !== null && w.activityG >= ACTIVITY_RESTLESS_G) reasons.push('restless movement');
  if (reasons.length === 0) reasons.push(...obs.drivers.slice(0, 2).map((d) => describeDriver(d)));
  return reasons.slice(0, 3);
}

/**
 * Explanation of a sustained-distress alert from the latest window and the episode so far.
 * Summary e.g. "Sustained distress for 2 min, peak 0.91 — heart rate 24 bpm above baseline, skin conductance rising".
 */
export function explainDistress(obs: DistressObservation, ctx: DistressEpisodeContext): Explanation {
  const duration = formatElapsed(ctx.durationS);
  const peak = score2(ctx.peakDistress);
  const reasons = summaryReasons(obs, ctx);
  let head: string;
  if (ctx.calm) {
    head = `Distress settled: calm for ${formatElapsed(ctx.calm.forS)} after ${duration} of sustained distress, peak ${peak}`;
  } else if (obs.distress < ctx.openThreshold || obs.confidence < ctx.minConfidence) {
    const now = obs.confidence < ctx.minConfidence ? 'now uncertain, readings of low confidence' : `now ${score2(obs.distress)}`;
    head = `Sustained distress for ${duration}, peak ${peak}; ${now}`;
  } else {
    head = `Sustained distress for ${duration}, peak ${peak}`;
  }
  const summary = !ctx.calm && reasons.length > 0 ? `${head} — ${reasons.join(', ')}` : head;

  const evidence: EvidenceItem[] = [
    evidenceItem(
      'distress',
      `Distress score ${score2(obs.distress)} (evidence for an alert builds above ${ctx.openThreshold}), sustained for ${duration}, peak ${peak}`,
      { value: obs.distress, threshold: ctx.openThreshold, durationS: ctx.durationS },
    ),
    evidenceItem(
      'confidence',
      obs.confidence >= ctx.minConfidence
        ? `Confidence ${score2(obs.confidence)} (readings count from ${ctx.minConfidence})`
        : `Confidence ${score2(obs.confidence)}: too low to count (needs ${ctx.minConfidence})`,
      { value: obs.confidence, threshold: ctx.minConfidence },
    ),
  ];
  if (ctx.calm) {
    evidence.push(
      evidenceItem('calm', `Evidence for distress spent, confident readings for ${formatElapsed(ctx.calm.forS)}`, {
        value: obs.distress,
        threshold: ctx.calm.threshold,
        durationS: ctx.calm.forS,
      }),
    );
  }
  if (obs.wearable) evidence.push(...wearableEvidence(obs.wearable, ctx));
  if (faceSeen(obs)) evidence.push(...faceEvidence(obs.face));

  return {
    summary,
    evidence,
    painad: painadItems(obs),
    unobserved: describeUnobserved(obs),
    models: { ...obs.models },
  };
}
