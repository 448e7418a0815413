/**
 * The clock every alert rule keeps (distress-rule.ts, possible-pain-rule.ts): windows are taken in
 * each device's `seq` order, and durations are measured on the rule's own clock, which advances by
 * each window's length plus any gap of at most `maxGapS` before it. A window whose seq is not after
 * the last one from the same device (a duplicate, a stale redelivery) is ignored, and a larger step
 * of the device's clock, forward or back, is a gap: no timestamp can stop a rule.
 */

export interface RuleClockState {
  /** The latest window taken: its device and seq (the order) and its end by the device's clock (for gaps). */
  last: { deviceId: string; seq: number; windowEndMs: number } | null;
  /** The accumulated time of the windows taken, milliseconds. */
  clockMs: number;
}

export interface ClockedWindow {
  /** The window's start and end on the rule clock, milliseconds. */
  startMs: number;
  endMs: number;
  /** Whether it follows on from the last window (same device, within maxGap); otherwise every run breaks. */
  followsOn: boolean;
  /** The clock state after taking it. */
  next: RuleClockState;
}

/**
 * Places a window on the rule clock, or returns null when the rule must ignore it: invalid times, or
 * a seq not after the last one from the same device.
 */
export function placeOnRuleClock(
  state: RuleClockState,
  window: { deviceId: string; seq: number; windowStart: Date; windowEnd: Date; receivedAt: Date },
  maxGapS: number,
): ClockedWindow | null {
  const windowStartMs = window.windowStart.getTime();
  const windowEndMs = window.windowEnd.getTime();
  const sameDevice = state.last !== null && state.last.deviceId === window.deviceId;
  if (
    !Number.isFinite(windowStartMs) ||
    !Number.isFinite(windowEndMs) ||
    windowEndMs <= windowStartMs ||
    !Number.isFinite(window.receivedAt.getTime()) ||
    (sameDevice && window.seq <= state.last!.seq)
  ) {
    return null;
  }
  const gapMs = sameDevice ? windowStartMs - state.last!.windowEndMs : Infinity;
  const followsOn = Math.abs(gapMs) <= maxGapS * 1000;
  const startMs = state.clockMs + (followsOn ? Math.max(0, gapMs) : 0);
  const endMs = startMs + (windowEndMs - windowStartMs);
  return { startMs, endMs, followsOn, next: { last: { deviceId: window.deviceId, seq: window.seq, windowEndMs }, clockMs: endMs } };
}

/**
 * Places a window on the rule clock and begins the rule's next state from it: a copy of `state`
 * with the clock advanced and its active episode copied too, so the rule can change the copy and
 * never its input. Null when the rule must ignore the window (as placeOnRuleClock).
 */
export function takeOnRuleClock<S extends RuleClockState & { active: object | null }>(
  state: S,
  window: Parameters<typeof placeOnRuleClock>[1],
  maxGapS: number,
): (Omit<ClockedWindow, 'next'> & { next: S }) | null {
  const placed = placeOnRuleClock(state, window, maxGapS);
  if (placed === null) return null;
  return { ...placed, next: { ...state, ...placed.next, active: state.active && { ...state.active } } };
}
