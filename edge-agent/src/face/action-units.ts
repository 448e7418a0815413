/**
 * Pain action units from face geometry, for the Prkachin-Solomon Pain Intensity score (PSPI;
 * Prkachin & Solomon, Pain 139(2):267-274, 2008): brow lowering (AU4), orbital tightening (AU6/7),
 * levator contraction (AU9/10) and eye closure (AU43). PSPI = AU4 + max(AU6, AU7) + max(AU9, AU10)
 * + AU43, 0..16.
 *
 * Mouth stretch / opening (AU20, AU25-27) is measured and reported, but it is NOT pain evidence and
 * nothing that raises distress or the PAINAD face item reads it: talking, yawning, coughing,
 * mouth-breathing and oxygen masks all open mouths, and PSPI leaves it out for that reason.
 *
 * Every unit is a change against THIS patient's neutral face (the vetted baseline,
 * neutral-baseline.ts), never against a population average: brows that are naturally low, or
 * small eyes, are not pain. Intensities use the FACS 0..5 scale; the onset/full thresholds below
 * are geometric heuristics (a fraction of the inter-ocular distance or of the baseline value),
 * chosen to ignore landmark jitter (~2-3 %) and to reach 5 at the extreme deformations of posed
 * pain faces. They are not yet validated against FACS-coded video and must be read as indicators,
 * not FACS codes.
 */
import type { FaceMeasures } from './landmarks.ts';

export interface ActionUnits {
  au4BrowLowering: number;
  au6au7OrbitalTightening: number;
  au9au10NoseWrinkleLipRaise: number;
  /** 1 when the eyes are closed in this frame, else 0 (PSPI scores AU43 as present/absent). */
  au43EyeClosure: number;
  /** Mouth stretch / opening: reported, never counted as pain (see above). */
  au20au25au27MouthStretchOpen: number;
}

/** Linear map of a deformation to 0..5 between its onset and the value that earns a full 5. */
export function intensity(deformation: number, onset: number, full: number): number {
  return Math.max(0, Math.min(5, (5 * (deformation - onset)) / (full - onset)));
}

/** Eye opening below this fraction of the patient's neutral opening counts as closed (AU43). */
export const EYE_CLOSED_RATIO = 0.3;

export function actionUnits(m: FaceMeasures, baseline: FaceMeasures): ActionUnits {
  const drop = (k: keyof FaceMeasures) => (baseline[k] - m[k]) / baseline[k];
  const au4 = intensity(Math.max(0, drop('browEye')) + 0.5 * Math.max(0, drop('browGap')), 0.04, 0.3);
  const openRatio = m.eyeOpen / baseline.eyeOpen;
  const closed = openRatio < EYE_CLOSED_RATIO;
  const narrowing = intensity(1 - openRatio, 0.12, 0.6);
  // Closed eyes alone are how people sleep. Squeezed shut with the brows pulled down is how pain
  // looks, so closure only counts as orbital tightening in proportion to brow lowering.
  const au67 = closed ? narrowing * Math.min(1, au4 / 2) : narrowing;
  const au910 = intensity(Math.max(drop('noseLip'), drop('noseEye')), 0.05, 0.35);
  const open = m.mouthOpen - baseline.mouthOpen; // inter-ocular units; the neutral mouth is ~closed
  const stretch = (m.mouthWidth - baseline.mouthWidth) / baseline.mouthWidth;
  const au2027 = Math.max(intensity(open, 0.05, 0.45), intensity(stretch, 0.05, 0.25));
  return {
    au4BrowLowering: au4,
    au6au7OrbitalTightening: au67,
    au9au10NoseWrinkleLipRaise: au910,
    au43EyeClosure: closed ? 1 : 0,
    au20au25au27MouthStretchOpen: au2027,
  };
}

/** PSPI = AU4 + max(AU6, AU7) + max(AU9, AU10) + AU43, 0..16. */
export function pspi(au: ActionUnits): number {
  return au.au4BrowLowering + au.au6au7OrbitalTightening + au.au9au10NoseWrinkleLipRaise + (au.au43EyeClosure >= 0.5 ? 1 : 0);
}
