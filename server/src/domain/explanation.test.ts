import { exampleScoreWindow, type FaceBlock, type WearableBlock } from '@attune/protocol';
import { describe, expect, it } from 'vitest';
import type { Explanation } from './alert-types.ts';
import { explainDistress, type DistressEpisodeContext, type DistressObservation } from './explanation.ts';
import {
  CAMERA_NOT_CONSENTED_TEXT,
  FACE_UNOBSERVED_WORDS,
  NO_BASELINE_TEXT,
  UNOBSERVED_PAINAD_TEXT,
  WEARABLE_NOT_CONSENTED_TEXT,
  WEARABLE_UNOBSERVED_WORDS,
} from './unobserved.ts';

const face = (): FaceBlock => structuredClone(exampleScoreWindow.face!);
const wearable = (over: Partial<WearableBlock> = {}): WearableBlock => ({ ...exampleScoreWindow.wearable!, ...over });

/** The protocol example window (face + wearable, baseline ready) as an observation. */
function obs(over: Partial<DistressObservation> = {}): DistressObservation {
  const w = exampleScoreWindow;
  return {
    distress: w.fused.distress,
    confidence: w.fused.confidence,
    drivers: [...w.fused.drivers],
    face: face(),
    wearable: wearable(),
    quality: structuredClone(w.quality),
    models: { ...w.models },
    ...over,
  };
}

/** A wearable-only observation, as with the camera not consented (the agent says so in its reason code). */
function wearableOnly(over: Partial<DistressObservation> = {}): DistressObservation {
  const o = obs({
    quality: {
      wearableCoverage: 0.98,
      faceCoverage: null,
      unobserved: ['face', 'expression', 'pain_face'],
      unobservedReasons: { face: 'no_consent' },
    },
    ...over,
  });
  if (!('face' in over)) delete o.face;
  return o;
}

const ctx = (over: Partial<DistressEpisodeContext> = {}): DistressEpisodeContext => ({
  durationS: 130,
  peakDistress: 0.91,
  openThreshold: 0.7,
  minConfidence: 0.5,
  sclAtStartUs: 5.0,
  ...over,
});

const allText = (e: Explanation) =>
  [e.summary, ...e.evidence.map((x) => x.text), ...e.painad.map((p) => `${p.item} ${p.basis}`), ...e.unobserved].join('\n');

describe('explainDistress summary', () => {
  it('reads as one line with duration, peak, baseline delta and rising skin conductance', () => {
    const e = explainDistress(wearableOnly(), ctx());
    expect(e.summary).toBe('Sustained distress for 2 min, peak 0.91 — heart rate 24 bpm above baseline, skin conductance rising');
  });

  it('names grimacing when the camera saw it', () => {
    const e = explainDistress(obs(), ctx());
    expect(e.summary).toBe(
      'Sustained distress for 2 min, peak 0.91 — heart rate 24 bpm above baseline, skin conductance rising, grimacing',
    );
  });

  it('does not call skin conductance rising when it has not risen', () => {
    const e = explainDistress(wearableOnly(), ctx({ sclAtStartUs: 6.3 }));
    expect(e.summary).not.toContain('rising');
    expect(e.summary).toContain('frequent skin conductance responses');
  });

  it('falls back to the agent drivers when no signal stands out', () => {
    const o = wearableOnly({
      wearable: wearable({ hrBpm: 75, scrPerMin: 2 }),
      drivers: [
        { code: 'movement_high', value: 0.12, unit: 'g', durationS: 180 },
        { code: 'skin_conductance_responses', value: 4, unit: 'per_min' },
      ],
    });
    const e = explainDistress(o, ctx({ sclAtStartUs: 6.4 }));
    expect(e.summary).toBe(
      'Sustained distress for 2 min, peak 0.91 — moving more than usual for 3 min, skin conductance rising (4 responses/min)',
    );
  });

  it('says when the current reading is below the threshold or of low confidence', () => {
    expect(explainDistress(wearableOnly({ distress: 0.42 }), ctx()).summary).toMatch(
      /^Sustained distress for 2 min, peak 0\.91; now 0\.42 — /,
    );
    expect(explainDistress(wearableOnly({ confidence: 0.3 }), ctx()).summary).toContain('now uncertain');
  });

  it('describes a cleared condition', () => {
    const e = explainDistress(wearableOnly({ distress: 0.3 }), ctx({ calm: { forS: 125, threshold: 0.5 } }));
    expect(e.summary).toBe('Distress settled: calm for 2 min after 2 min of sustained distress, peak 0.91');
    expect(e.evidence.find((x) => x.signal === 'calm')).toMatchObject({ value: 0.3, threshold: 0.5, durationS: 125 });
  });
});

describe('explainDistress evidence', () => {
  it('carries the fused score against the 0.7 threshold with the duration', () => {
    const e = explainDistress(obs(), ctx());
    expect(e.evidence[0]).toEqual({
      signal: 'distress',
      text: 'Distress score 0.78 (evidence for an alert builds above 0.7), sustained for 2 min, peak 0.91',
      value: 0.78,
      unit: null,
      threshold: 0.7,
      baseline: null,
      durationS: 130,
    });
    expect(e.evidence.find((x) => x.signal === 'confidence')).toMatchObject({ value: 0.81, threshold: 0.5 });
  });

  it("compares heart rate with the patient's own baseline", () => {
    const hr = explainDistress(obs(), ctx()).evidence.find((x) => x.signal === 'heart_rate')!;
    expect(hr).toMatchObject({ value: 96, unit: 'bpm', baseline: 72 });
    expect(hr.text).toBe("Heart rate 96 bpm, 24 bpm above the patient's own baseline of 72 bpm");
  });

  it('lists the wearable signals with units', () => {
    const ev = explainDistress(obs(), ctx()).evidence;
    const bySignal = Object.fromEntries(ev.map((x) => [x.signal, x]));
    expect(bySignal.hrv_rmssd).toMatchObject({ value: 19, unit: 'ms' });
    expect(bySignal.skin_conductance_level).toMatchObject({ value: 6.4, unit: 'µS', baseline: 5 });
    expect(bySignal.skin_conductance_level!.text).toContain('rising from 5 µS');
    expect(bySignal.skin_conductance_responses).toMatchObject({ value: 7, unit: '/min' });
    expect(bySignal.skin_temperature).toMatchObject({ value: 33.1, unit: '°C' });
    expect(bySignal.activity).toMatchObject({ value: 0.04, unit: 'g' });
    expect(bySignal.activity!.text).toContain('little movement');
  });

  it('lists the face block: negative affect, PSPI and the notable action units only', () => {
    const ev = explainDistress(obs(), ctx()).evidence;
    const signals = ev.map((x) => x.signal);
    // The rise above the patient's own neutral face, not the classifier's absolute output.
    const affect = ev.find((x) => x.signal === 'negative_affect')!;
    expect(affect).toMatchObject({ value: face().negativeAffectAboveBaseline, baseline: 0 });
    expect(affect.text).toContain("above the patient's own neutral face");
    const unvetted = explainDistress(obs({ face: { ...face(), negativeAffectAboveBaseline: null } }), ctx()).evidence;
    expect(unvetted.find((x) => x.signal === 'negative_affect')!.text).toContain('not yet compared');
    expect(ev.find((x) => x.signal === 'pspi')).toMatchObject({ value: 5.5, unit: '/16' });
    expect(ev.find((x) => x.signal === 'pspi')!.text).toContain('of 16');
    expect(signals).toContain('au4BrowLowering');
    expect(signals).toContain('au6au7OrbitalTightening');
    expect(signals).toContain('au9au10NoseWrinkleLipRaise'); // 1.0, at the floor
    expect(signals).not.toContain('au20au25au27MouthStretchOpen'); // mouth opening is never listed as a pain sign
    expect(signals).not.toContain('au43EyeClosure'); // 0
    expect(ev.find((x) => x.signal === 'au4BrowLowering')!.text).toBe('Brow lowered, intensity 2.1 of 5');
  });

  it('without a face block: no face evidence, face listed as not observed', () => {
    const e = explainDistress(wearableOnly(), ctx());
    expect(e.evidence.some((x) => ['negative_affect', 'pspi', 'au4BrowLowering'].includes(x.signal))).toBe(false);
    expect(e.unobserved).toContain(CAMERA_NOT_CONSENTED_TEXT);
    expect(e.painad.some((p) => p.item === 'Facial expression')).toBe(false);
  });

  it('camera consented but no face found: a different reason', () => {
    const e = explainDistress(wearableOnly({ quality: { wearableCoverage: 1, faceCoverage: 0, unobserved: ['face'] } }), ctx());
    expect(e.unobserved).not.toContain(CAMERA_NOT_CONSENTED_TEXT);
    expect(e.unobserved[0]).toMatch(/^Face not visible/);
  });

  it('a face block whose face was not seen gives no face evidence or facial PAINAD score', () => {
    const f = { ...face(), faceVisibleFraction: 0, painadFace: null };
    const e = explainDistress(obs({ face: f, quality: { wearableCoverage: 1, faceCoverage: 0, unobserved: ['face'] } }), ctx());
    expect(e.evidence.some((x) => x.signal === 'negative_affect')).toBe(false);
    expect(e.painad.some((p) => p.item === 'Facial expression')).toBe(false);
    expect(e.unobserved).toContain('Face not visible in the camera view');
  });

  it('ignores wearable readings when the sensor is off the wrist', () => {
    const e = explainDistress(wearableOnly({ wearable: wearable({ onWrist: false }) }), ctx());
    expect(e.evidence.map((x) => x.signal)).toEqual(['distress', 'confidence']);
    expect(e.unobserved.some((u) => u.includes('off the wrist'))).toBe(true);
    expect(e.painad).toEqual([]);
  });
});

describe('explainDistress PAINAD', () => {
  it('scores facial expression from the face block, its basis put into words by the server', () => {
    const e = explainDistress(obs(), ctx());
    expect(e.painad).toContainEqual({
      item: 'Facial expression',
      score: 2,
      basis: 'grimacing: brow lowered with eyes tightened or nose/lip raised in 70% of frames (PSPI 5.5 of 16)',
    });
  });

  it('gives body language only as an unscored hint from movement', () => {
    const e = explainDistress(obs({ wearable: wearable({ activityG: 0.3 }) }), ctx());
    const body = e.painad.find((p) => p.item === 'Body language')!;
    expect(body.score).toBeNull();
    expect(body.basis).toMatch(/^Hint only, from wrist movement: frequent movement/);
    // the summary keeps at most three reasons: movement is named when there is room
    expect(e.summary).not.toContain('restless movement');
    expect(explainDistress(wearableOnly({ wearable: wearable({ activityG: 0.3 }) }), ctx()).summary).toBe(
      'Sustained distress for 2 min, peak 0.91 — heart rate 24 bpm above baseline, skin conductance rising, restless movement',
    );
  });

  it('never scores breathing, vocalisation or consolability, and lists them as unobserved', () => {
    for (const o of [obs(), wearableOnly()]) {
      const e = explainDistress(o, ctx());
      expect(e.painad.map((p) => p.item).sort()).toEqual(o.face ? ['Body language', 'Facial expression'] : ['Body language']);
      expect(e.unobserved).toContain(UNOBSERVED_PAINAD_TEXT);
      expect(UNOBSERVED_PAINAD_TEXT).toBe('Breathing, vocalisation and consolability: assess at the bedside');
    }
  });
});

describe('explainDistress unobserved', () => {
  it('turns quality codes into words', () => {
    const e = explainDistress(
      obs({ quality: { wearableCoverage: 0.6, faceCoverage: 0.9, unobserved: ['hrv', 'eda', 'temperature', 'expression'] } }),
      ctx(),
    );
    expect(e.unobserved).toEqual([
      'Facial expression could not be read',
      'Heart-rate variability not measured (too few clean beats)',
      'Skin conductance not measured',
      'Skin temperature not measured',
      UNOBSERVED_PAINAD_TEXT,
    ]);
  });

  it('before a personal baseline: compared with population norms, listed once', () => {
    const o = obs({
      wearable: wearable({ hrBaselineBpm: null, baselineReady: false, hrBpm: 104 }),
      quality: { wearableCoverage: 1, faceCoverage: 0.9, unobserved: ['baseline'] },
    });
    const e = explainDistress(o, ctx());
    expect(e.unobserved.filter((u) => u === NO_BASELINE_TEXT)).toHaveLength(1);
    expect(e.unobserved).toContain('No baseline yet: compared with population norms');
    const hr = e.evidence.find((x) => x.signal === 'heart_rate')!;
    expect(hr).toMatchObject({ value: 104, baseline: null });
    expect(hr.text).toBe('Heart rate 104 bpm (no personal baseline yet)');
    expect(e.summary).toContain('heart rate 104 bpm');
    expect(e.summary).not.toContain('above baseline');
  });

  it('explains a missing PSPI by the missing neutral-face baseline', () => {
    const e = explainDistress(
      obs({ face: { ...face(), pspi: null }, quality: { wearableCoverage: 1, faceCoverage: 0.9, unobserved: ['pain_face'] } }),
      ctx(),
    );
    expect(e.evidence.some((x) => x.signal === 'pspi')).toBe(false);
    expect(e.unobserved).toContain('Facial pain signs (PSPI) not scored: no neutral-face baseline for the patient yet');
  });

  it('wearable not consented', () => {
    const o = obs({
      quality: {
        wearableCoverage: null,
        faceCoverage: 0.9,
        unobserved: ['heart_rate', 'hrv', 'eda', 'temperature', 'activity'],
        unobservedReasons: { wearable: 'no_consent' },
      },
    });
    delete o.wearable;
    const e = explainDistress(o, ctx());
    expect(e.unobserved).toEqual([WEARABLE_NOT_CONSENTED_TEXT, UNOBSERVED_PAINAD_TEXT]);
    expect(e.painad.map((p) => p.item)).toEqual(['Facial expression']);
  });
});

describe('describeUnobserved states the real reason (quality.unobservedReasons)', () => {
  const faceUnseen = ['face', 'expression', 'pain_face'] as const;
  const wearableUnseen = ['heart_rate', 'hrv', 'eda', 'temperature', 'activity'] as const;

  it('Bed 2: camera consented but no camera attached says so, never "camera not consented"', () => {
    const e = explainDistress(
      wearableOnly({
        quality: { wearableCoverage: 1, faceCoverage: 0, unobserved: [...faceUnseen], unobservedReasons: { face: 'not_configured' } },
      }),
      ctx(),
    );
    expect(e.unobserved[0]).toBe('Face not visible (no camera attached at this bed)');
    expect(allText(e)).not.toContain('not consented');
  });

  it('words every face reason, each differently, as the only face line', () => {
    const seen = new Set<string>();
    for (const code of Object.keys(FACE_UNOBSERVED_WORDS) as (keyof typeof FACE_UNOBSERVED_WORDS)[]) {
      const e = explainDistress(
        wearableOnly({ quality: { wearableCoverage: 1, faceCoverage: 0, unobserved: [...faceUnseen], unobservedReasons: { face: code } } }),
        ctx(),
      );
      expect(e.unobserved).toEqual([FACE_UNOBSERVED_WORDS[code], UNOBSERVED_PAINAD_TEXT]);
      seen.add(FACE_UNOBSERVED_WORDS[code]);
    }
    expect(seen.size).toBe(9);
    expect(FACE_UNOBSERVED_WORDS.no_consent).toBe(CAMERA_NOT_CONSENTED_TEXT);
    expect(FACE_UNOBSERVED_WORDS.face_not_found).toMatch(/not found/);
    expect(FACE_UNOBSERVED_WORDS.poor_light).toMatch(/too dark or too bright/);
    expect(FACE_UNOBSERVED_WORDS.source_error).toMatch(/camera is not working/);
  });

  it('words every wearable reason', () => {
    for (const code of Object.keys(WEARABLE_UNOBSERVED_WORDS) as (keyof typeof WEARABLE_UNOBSERVED_WORDS)[]) {
      const o = obs({
        quality: {
          wearableCoverage: code === 'no_consent' ? null : 0,
          faceCoverage: 0.9,
          unobserved: [...wearableUnseen],
          unobservedReasons: { wearable: code },
        },
      });
      if (code === 'off_wrist') o.wearable = wearable({ onWrist: false, hrBpm: null, distress: null });
      else delete o.wearable;
      expect(explainDistress(o, ctx()).unobserved).toEqual([WEARABLE_UNOBSERVED_WORDS[code], UNOBSERVED_PAINAD_TEXT]);
    }
    expect(WEARABLE_UNOBSERVED_WORDS.not_configured).toMatch(/no wearable attached/);
    expect(WEARABLE_UNOBSERVED_WORDS.no_data).toMatch(/no data from the wearable/);
    expect(WEARABLE_UNOBSERVED_WORDS.source_error).toMatch(/wearable is not working/);
  });

  it('a face still learning its neutral face is not described as compared with population norms', () => {
    const o = obs({
      face: { ...face(), pspi: null, actionUnits: null, painadFace: null, negativeAffectAboveBaseline: null },
      quality: {
        wearableCoverage: 1,
        faceCoverage: 1,
        unobserved: ['expression', 'pain_face', 'baseline'],
        unobservedReasons: { face: 'learning_baseline' },
      },
    });
    const e = explainDistress(o, ctx());
    expect(e.unobserved).toEqual([FACE_UNOBSERVED_WORDS.learning_baseline, UNOBSERVED_PAINAD_TEXT]);
  });

  it('an agent older than the reason codes: says only what the window can tell', () => {
    const legacy = wearableOnly({ quality: { wearableCoverage: 0.98, faceCoverage: null, unobserved: [...faceUnseen] } });
    expect(explainDistress(legacy, ctx()).unobserved[0]).toBe('Face not visible (camera not consented or not attached)');
    const noWearable = obs({ quality: { wearableCoverage: null, faceCoverage: 0.9, unobserved: [...wearableUnseen] } });
    delete noWearable.wearable;
    expect(explainDistress(noWearable, ctx()).unobserved[0]).toBe(
      'Heart rate, skin conductance and movement not measured (wearable not consented or not attached)',
    );
  });
});

describe('explainDistress words and models', () => {
  it('copies the model versions from the window', () => {
    const o = obs({ models: { 'wearable-distress': '1.0.0', 'face-expression': '2.1.0' } });
    const e = explainDistress(o, ctx());
    expect(e.models).toEqual({ 'wearable-distress': '1.0.0', 'face-expression': '2.1.0' });
    expect(e.models).not.toBe(o.models);
  });

  it('uses "the patient", never a pronoun', () => {
    const texts = [
      explainDistress(obs(), ctx()),
      explainDistress(wearableOnly(), ctx({ calm: { forS: 120, threshold: 0.5 } })),
      explainDistress(obs({ wearable: wearable({ hrBaselineBpm: null, baselineReady: false }) }), ctx()),
    ].map(allText);
    for (const t of texts) expect(t).not.toMatch(/\b(he|she|his|her|him|hers|herself|himself)\b/i);
  });
});
