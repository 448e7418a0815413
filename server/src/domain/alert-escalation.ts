/**
 * Escalation of alerts nobody acknowledges: pure decisions, no I/O (the escalation service applies
 * them). An alert still firing N x ALERT_ESCALATE_AFTER_S after it began firing reaches level N,
 * up to MAX_ESCALATION_LEVEL; low priority never escalates (IEC 60601-1-8 low-priority alarms ask
 * for awareness, not a response).
 */
import type { AlertState, Priority } from './alert-types.ts';

/** Seconds unacknowledged per escalation level, for the priorities that escalate. */
export interface EscalateAfterS {
  high: number;
  medium: number;
}

export const DEFAULT_ESCALATE_AFTER_S: EscalateAfterS = { high: 120, medium: 300 };

/**
 * Level 3 means the alert went unanswered through three periods (6 min for a high alert by
 * default): by then the charge nurse has been told three times and further levels would only add
 * noise, while the tile keeps counting the unacknowledged minutes.
 */
export const MAX_ESCALATION_LEVEL = 3;

export interface EscalationInput {
  priority: Priority;
  state: AlertState;
  firingSince: Date;
  escalationLevel: number;
}

export interface EscalationStep {
  level: number;
  unacknowledgedS: number;
}

function periodS(priority: Priority, afterS: EscalateAfterS): number | null {
  return priority === 'low' ? null : afterS[priority];
}

/**
 * The next level an alert reaches at `now`, or null. One level at a time: a server that was down
 * through several periods records each level in turn on its next runs, never skipping one.
 */
export function nextEscalation(alert: EscalationInput, afterS: EscalateAfterS, now: Date): EscalationStep | null {
  const period = periodS(alert.priority, afterS);
  if (alert.state !== 'firing' || period === null || alert.escalationLevel >= MAX_ESCALATION_LEVEL) return null;
  const unacknowledgedMs = now.getTime() - alert.firingSince.getTime();
  const level = alert.escalationLevel + 1;
  if (unacknowledgedMs < level * period * 1000) return null;
  return { level, unacknowledgedS: Math.floor(unacknowledgedMs / 1000) };
}

/**
 * What an open alert takes when it fires again (a new episode, or a higher priority). After an
 * acknowledgement it is a new unacknowledged stretch: firingSince is now and escalation starts over
 * from 0. An alert nobody acknowledged keeps its firingSince and level: the nurse has still not
 * answered it, and restarting the clock would hide how long.
 */
export function firingAgain(state: AlertState, at: Date): { firingSince?: Date; escalationLevel?: number; escalatedAt?: null } {
  return state === 'firing' ? {} : { firingSince: at, escalationLevel: 0, escalatedAt: null };
}

/**
 * How often the escalation job looks: a quarter of the shortest period, between 0.5 s and 5 s, so a
 * level is reached at most 5 s late with the defaults and a test with 2 s periods stays exact enough.
 */
export function escalationCheckEveryMs(afterS: EscalateAfterS): number {
  return Math.min(5000, Math.max(500, (Math.min(afterS.high, afterS.medium) * 1000) / 4));
}
