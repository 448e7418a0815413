/**
 * What could not be observed in a window, in words a nurse reads: each line states the real reason
 * the agent reported, and the PAINAD items nobody measures always close the list.
 */
import type { FaceUnobservedReason, Unobserved, WearableUnobservedReason } from '@attune/protocol';
import type { DistressObservation } from './explanation.ts';

/** Always outside what Attune can observe; the nurse assesses these at the bedside. */
export const UNOBSERVED_PAINAD_TEXT = 'Breathing, vocalisation and consolability: assess at the bedside';
export const NO_BASELINE_TEXT = 'No baseline yet: compared with population norms';
export const CAMERA_NOT_CONSENTED_TEXT = 'Face not visible (camera not consented)';
export const WEARABLE_NOT_CONSENTED_TEXT = 'Heart rate, skin conductance and movement not measured (wearable not consented)';
/** Why the face was not observed, by the agent's reason code (quality.unobservedReasons.face). */
export const FACE_UNOBSERVED_WORDS: Record<FaceUnobservedReason, string> = {
  no_consent: CAMERA_NOT_CONSENTED_TEXT,
  not_configured: 'Face not visible (no camera attached at this bed)',
  source_error: 'Face not visible (the camera is not working: disconnected or failed)',
  no_frames: 'Face not visible (the camera sent no pictures in this period)',
  face_not_found: "Face not visible (the patient's face was not found in the camera view)",
  poor_light: "Face not read (too dark or too bright to read the patient's face)",
  turned_away: "Face not read (the patient's face was turned away from the camera)",
  moving: "Face not read (the patient's face moved too much to read)",
  learning_baseline: "Facial expression and pain signs (PSPI) not scored yet: the patient's own neutral face is still being learned",
};
/** Why the wearable was not observed, by the agent's reason code (quality.unobservedReasons.wearable). */
export const WEARABLE_UNOBSERVED_WORDS: Record<WearableUnobservedReason, string> = {
  no_consent: WEARABLE_NOT_CONSENTED_TEXT,
  not_configured: 'Heart rate, skin conductance and movement not measured (no wearable attached at this bed)',
  source_error: 'Heart rate, skin conductance and movement not measured (the wearable is not working: disconnected or failed)',
  no_data: 'Heart rate, skin conductance and movement not measured (no data from the wearable in this period)',
  off_wrist: 'Wearable appears to be off the wrist: heart rate, skin conductance and movement not measured',
};
/** An agent older than the reason codes cannot tell "not consented" from "not attached": say both. */
const CAMERA_NOT_CONSENTED_OR_ATTACHED_TEXT = 'Face not visible (camera not consented or not attached)';
const WEARABLE_NOT_CONSENTED_OR_ATTACHED_TEXT =
  'Heart rate, skin conductance and movement not measured (wearable not consented or not attached)';

const WEARABLE_CODE_WORDS: Partial<Record<Unobserved, string>> = {
  heart_rate: 'Heart rate not measured (no clean pulse signal)',
  hrv: 'Heart-rate variability not measured (too few clean beats)',
  eda: 'Skin conductance not measured',
  temperature: 'Skin temperature not measured',
  activity: 'Movement not measured',
};

/**
 * Turns the window's quality codes and missing blocks into words; always ends with the PAINAD items
 * nobody measured. Each "not observed" line states the real reason the agent reported
 * (`quality.unobservedReasons`: no consent, no camera or wearable attached, face not found, poor
 * light, source error, off the wrist, ...). Windows from agents older than those codes get the
 * most that can honestly be said from the rest of the window.
 */
export function describeUnobserved(obs: DistressObservation): string[] {
  const out: string[] = [];
  const add = (s: string) => {
    if (!out.includes(s)) out.push(s);
  };
  const codes = new Set(obs.quality.unobserved);
  const reasons = obs.quality.unobservedReasons;

  // Face
  const faceReason = reasons?.face;
  if (faceReason) add(FACE_UNOBSERVED_WORDS[faceReason]);
  else if (!obs.face) {
    if (reasons) add('Face not visible in the camera view');
    else if (obs.quality.faceCoverage === null) add(CAMERA_NOT_CONSENTED_OR_ATTACHED_TEXT);
    else add('Face not visible (not found in the camera view)');
  }
  if (obs.face && faceReason === undefined) {
    if (codes.has('face') || obs.face.faceVisibleFraction === 0) add('Face not visible in the camera view');
    else {
      if (codes.has('expression')) add('Facial expression could not be read');
      if (obs.face.pspi === null) add('Facial pain signs (PSPI) not scored: no neutral-face baseline for the patient yet');
      else if (codes.has('pain_face')) add('Facial pain signs (PSPI) could not be scored');
    }
  }

  // Wearable
  const w = obs.wearable;
  const wearableReason = reasons?.wearable;
  if (wearableReason) add(WEARABLE_UNOBSERVED_WORDS[wearableReason]);
  else if (!w) {
    if (reasons) add(WEARABLE_UNOBSERVED_WORDS.no_data);
    else if (obs.quality.wearableCoverage === null) add(WEARABLE_NOT_CONSENTED_OR_ATTACHED_TEXT);
    else add(WEARABLE_UNOBSERVED_WORDS.no_data);
  } else if (!w.onWrist) {
    add(WEARABLE_UNOBSERVED_WORDS.off_wrist);
  }
  if (w && w.onWrist) {
    for (const [code, words] of Object.entries(WEARABLE_CODE_WORDS) as [Unobserved, string][]) {
      if (codes.has(code)) add(words);
    }
  }
  // `baseline` is shared by both modalities; it means the wearable's unless the face's reason says
  // its own neutral face is being learned (worded above).
  const wearableBaselineMissing = w !== undefined && w.onWrist && !w.baselineReady;
  if (wearableBaselineMissing || (codes.has('baseline') && faceReason !== 'learning_baseline')) add(NO_BASELINE_TEXT);

  add(UNOBSERVED_PAINAD_TEXT);
  return out;
}
