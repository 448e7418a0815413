/**
 * Replays one recording through the production code: the agent's wearable pipeline and fusion
 * (`scoreRecording`, the code the agent runs), the score window message it publishes, and the
 * server's reading of that message and sustained-distress rule (the pure state machine the server
 * runs), on recording time. A simulated nurse resolves each alert a fixed
 * time after it opened, as the ward would; a resolution resets the rule exactly as on the server.
 */
import type { OffsetSample } from '@attune/models';
import { scoreRecording, scoreWindowMessage, type DistressPredictor, type OfflineWindowScore } from '@attune/edge-agent/score-recording';
import {
  evaluateDistressWindow,
  initialDistressState,
  resetAfterResolution,
  toRuleWindow,
  type DistressRuleConfig,
  type RuleWindow,
} from '@attune/server/distress-rule';

export interface ReplayedWindow {
  startS: number;
  endS: number;
  /** The rule's view of the window. */
  rule: RuleWindow;
  /** The wearable model's output (null when the window could not be scored). */
  wearableDistress: number | null;
  baselineReady: boolean;
}

export async function replayRecording(
  predictor: DistressPredictor,
  weights: readonly number[],
  samples: OffsetSample[],
  options: { windowMs: number; baselineWindows: number; onWindow?: (done: number, total: number) => void },
): Promise<ReplayedWindow[]> {
  const scored: OfflineWindowScore[] = await scoreRecording(predictor, samples, { ...options, weights });
  return scored.map((w, seq) => {
    // The message the agent would publish, read by the server's rule as if received at the window's end.
    const header = { deviceId: 'replay', seq, windowStartMs: w.startS * 1000, windowEndMs: w.endS * 1000, consentVersion: 0, models: {} };
    return {
      startS: w.startS,
      endS: w.endS,
      wearableDistress: w.fusion.wearable?.distress ?? null,
      baselineReady: w.fusion.wearable?.baselineReady ?? false,
      rule: toRuleWindow(scoreWindowMessage(w.fusion, header), new Date(header.windowEndMs)),
    };
  });
}

export interface AlertOpening {
  /** When the alert opened (or re-opened), seconds from the start of the recording. */
  atS: number;
  priority: 'low' | 'medium' | 'high';
}

/** Runs the rule over replayed windows and returns every opening; the simulated nurse resolves `resolveAfterS` after each. */
export function runRule(windows: readonly ReplayedWindow[], config: Partial<DistressRuleConfig>, resolveAfterS: number): AlertOpening[] {
  let state = initialDistressState();
  const openings: AlertOpening[] = [];
  let unresolvedSinceS: number | null = null;
  for (const w of windows) {
    if (unresolvedSinceS !== null && w.endS - unresolvedSinceS >= resolveAfterS) {
      state = resetAfterResolution(state);
      unresolvedSinceS = null;
    }
    const { state: next, decision } = evaluateDistressWindow(state, w.rule, config);
    state = next;
    if (decision?.type === 'open') {
      openings.push({ atS: w.endS, priority: decision.priority });
      unresolvedSinceS ??= w.endS;
    }
  }
  return openings;
}
