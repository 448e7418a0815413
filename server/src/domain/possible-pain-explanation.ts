/**
 * The explanation a nurse reads on a possible-pain alert (possible-pain-rule.ts): the PAINAD
 * facial-expression item and PSPI with how long they held, the patient's own neutral-face
 * baseline the PSPI is measured against, what could not be observed, and, plainly, that the alert
 * rests on the face alone.
 *
 * Pure functions: no I/O and no clock. Wording follows explanation.ts: plain clinical English,
 * "the patient", no jargon beyond the PAINAD and PSPI names.
 */
import { formatElapsed, type FaceBlock } from '@attune/protocol';
import type { EvidenceItem, Explanation, PainadItem } from './alert-types.ts';
import { describePainadFaceBasis } from './driver-words.ts';
import { evidenceItem as item, one, pct, type DistressObservation } from './explanation.ts';
import { describeUnobserved } from './unobserved.ts';

/** What the rule knows about the episode beyond the current window. */
export interface PossiblePainEpisode {
  /** From the start of the opening run to the latest window with face-only pain signs, seconds. */
  durationS: number;
  /** Highest PSPI (0..16) seen in the episode; null when none was scored. */
  peakPspi: number | null;
  /** Highest PAINAD face item seen in the episode; null when none was scored. */
  peakPainadFace: 0 | 1 | 2 | null;
  /** The rule's thresholds, quoted in the evidence. */
  minPspi: number;
  minPainadFace: number;
  minFaceVisibleFraction: number;
  /** Set when the condition cleared: seconds of a visible face without pain signs. */
  calmForS: number | null;
}

/** First line of every possible-pain alert's "not observed" list (the summary says "from the face alone" too). */
export const FACE_ALONE_TEXT =
  'This alert rests on the face alone: no wearable reading (heart rate, skin conductance, movement) confirms it. Check the patient at the bedside';

const PAINAD_FACE_WORDS: Record<0 | 1 | 2, string> = {
  0: 'relaxed (0 of 2)',
  1: 'sad, frightened or frowning (1 of 2)',
  2: 'grimacing (2 of 2)',
};

/** Whether the PSPI in this window was measured against a learned neutral face (the agent sends action units only then). */
const hasNeutralBaseline = (face: FaceBlock) => face.actionUnits !== null && face.pspi !== null;

function summaryOf(obs: DistressObservation, ep: PossiblePainEpisode): string {
  const duration = formatElapsed(ep.durationS);
  if (ep.calmForS !== null) {
    return `Possible pain settled: face without pain signs for ${formatElapsed(ep.calmForS)} after ${duration} of facial pain signs`;
  }
  const signs: string[] = [];
  if (ep.peakPainadFace !== null && ep.peakPainadFace >= 1) signs.push(ep.peakPainadFace === 2 ? 'grimacing' : 'frowning or looking upset');
  if (ep.peakPspi !== null && ep.peakPspi >= ep.minPspi) signs.push(`PSPI up to ${one(ep.peakPspi)} of 16`);
  const what = signs.length > 0 ? signs.join(', ') : 'facial pain signs';
  const face = obs.face;
  const now = face && face.faceVisibleFraction >= ep.minFaceVisibleFraction ? '' : '; face not clearly seen now';
  return `Possible pain for ${duration} from the face alone — ${what}${now}`;
}

function evidenceOf(obs: DistressObservation, ep: PossiblePainEpisode): EvidenceItem[] {
  const out: EvidenceItem[] = [];
  const face = obs.face;
  if (ep.peakPainadFace !== null) {
    const now = face?.painadFace !== null && face?.painadFace !== undefined ? `; now ${PAINAD_FACE_WORDS[face.painadFace]}` : '';
    out.push(
      item(
        'painad_face',
        `PAINAD facial expression up to ${PAINAD_FACE_WORDS[ep.peakPainadFace]} over ${formatElapsed(ep.durationS)} ` +
          `(counts from ${ep.minPainadFace})${now}`,
        { value: face?.painadFace ?? ep.peakPainadFace, unit: '/2', threshold: ep.minPainadFace, durationS: ep.durationS },
      ),
    );
  }
  if (ep.peakPspi !== null) {
    const now = face?.pspi !== null && face?.pspi !== undefined ? `; now ${one(face.pspi)}` : '';
    out.push(
      item(
        'pspi',
        `Facial pain intensity (PSPI) up to ${one(ep.peakPspi)} of 16 over ${formatElapsed(ep.durationS)} ` +
          `(counts from ${ep.minPspi}, measured against the patient's own neutral face)${now}`,
        { value: face?.pspi ?? ep.peakPspi, unit: '/16', threshold: ep.minPspi, baseline: 0, durationS: ep.durationS },
      ),
    );
  }
  if (face) {
    out.push(
      item(
        'neutral_face_baseline',
        hasNeutralBaseline(face)
          ? "The patient's own neutral face has been learned: brow, eyes, nose and lip movements count only as changes from it"
          : "No neutral-face baseline for the patient yet: facial signs are read from the expression alone and may reflect the patient's usual face",
        { baseline: hasNeutralBaseline(face) ? 0 : null },
      ),
    );
    out.push(
      item('face_visible', `Face visible in ${pct(face.faceVisibleFraction)} of frames (counts from ${pct(ep.minFaceVisibleFraction)})`, {
        value: face.faceVisibleFraction,
        threshold: ep.minFaceVisibleFraction,
      }),
    );
  }
  if (ep.calmForS !== null) {
    out.push(
      item('calm', `Face visible without pain signs for ${formatElapsed(ep.calmForS)}`, {
        durationS: ep.calmForS,
      }),
    );
  }
  return out;
}

function painadOf(obs: DistressObservation): PainadItem[] {
  const face = obs.face;
  if (!face || face.painadFace === null || face.faceVisibleFraction === 0) return [];
  return [{ item: 'Facial expression', score: face.painadFace, basis: describePainadFaceBasis(face.painadFaceBasis) }];
}

/** Explanation of a possible-pain alert from the latest window and the episode so far. */
export function explainPossiblePain(obs: DistressObservation, ep: PossiblePainEpisode): Explanation {
  const unobserved = describeUnobserved(obs);
  return {
    summary: summaryOf(obs, ep),
    evidence: evidenceOf(obs, ep),
    painad: painadOf(obs),
    unobserved: [FACE_ALONE_TEXT, ...unobserved.filter((line) => line !== FACE_ALONE_TEXT)],
    models: { ...obs.models },
  };
}
