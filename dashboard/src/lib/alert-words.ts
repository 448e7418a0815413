/**
 * Where an alert stands and what happened to it, in the words the dialog, the Alerts page and the
 * stay timeline share: elapsed times ("unacknowledged 4 min"), never just a clock time.
 */
import type { Alert, AlertEvent, Priority } from './api/types';
import { formatElapsed } from '@attune/protocol/durations';
import { formatAgo, OUTCOME_LABEL, PRIORITY_LABEL } from './format';

/** The server's words for a span of time, so the board says "4 min" exactly as the alert's explanation does. */
export { formatElapsed };

const secondsSince = (iso: string, nowMs: number) => (nowMs - Date.parse(iso)) / 1000;

/** "Unacknowledged 4 min", "Acknowledged 3 min ago by Demo Nurse", "Resolved just now by Demo Nurse: Comforted". */
export function alertStanding(alert: Alert, nowMs: number): string {
  switch (alert.state) {
    case 'firing':
      return `Unacknowledged ${formatElapsed(secondsSince(alert.firingSince, nowMs))}`;
    case 'acknowledged':
      return `Acknowledged ${formatAgo(alert.acknowledgedAt, nowMs)} by ${alert.acknowledgedBy ?? 'someone unknown'}`;
    case 'resolved':
      return `Resolved ${formatAgo(alert.resolvedAt, nowMs)} by ${alert.resolvedBy ?? 'someone unknown'}${
        alert.outcome ? `: ${OUTCOME_LABEL[alert.outcome]}` : ''
      }`;
  }
}

/** "Escalated to level 2 1 min ago", or null when the alert never escalated. */
export function escalationWords(alert: Alert, nowMs: number): string | null {
  if (alert.escalationLevel < 1) return null;
  const when = alert.escalatedAt ? ` ${formatAgo(alert.escalatedAt, nowMs)}` : '';
  return `Escalated to level ${alert.escalationLevel}${when}`;
}

const isPriority = (x: unknown): x is Priority => x === 'high' || x === 'medium' || x === 'low';

/** One step of the alert's history in words: who, and for escalations why. */
export function alertEventWords(ev: AlertEvent): string {
  const by = ev.actor ? ` by ${ev.actor}` : '';
  const d = ev.detail;
  switch (ev.type) {
    case 'opened':
      return isPriority(d.priority) ? `Opened at ${PRIORITY_LABEL[d.priority].toLowerCase()} priority` : 'Opened';
    case 'escalated':
      if (isPriority(d.from) && isPriority(d.to)) {
        return `Priority rose from ${PRIORITY_LABEL[d.from].toLowerCase()} to ${PRIORITY_LABEL[d.to].toLowerCase()}`;
      }
      if (typeof d.level === 'number') {
        const waited = typeof d.unacknowledgedS === 'number' ? `: unacknowledged ${formatElapsed(d.unacknowledgedS)}` : '';
        return `Escalated to level ${d.level}${waited}`;
      }
      return 'Escalated';
    case 'updated':
      return 'Evidence updated';
    case 'condition_cleared':
      return 'Condition cleared';
    case 'reactivated':
      return 'Condition returned: firing again';
    case 'acknowledged':
      return `Acknowledged${by}`;
    case 'resolved': {
      const outcome =
        typeof d.outcome === 'string' && d.outcome in OUTCOME_LABEL ? OUTCOME_LABEL[d.outcome as keyof typeof OUTCOME_LABEL] : null;
      return `Resolved${by}${outcome ? `: ${outcome}` : ''}`;
    }
  }
}
