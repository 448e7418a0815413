import { describe, expect, it } from 'vitest';
import type { Alert, AlertEvent } from './api/types';
import { alertEventWords, alertStanding, escalationWords } from './alert-words';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const base = {
  state: 'firing',
  firingSince: '2026-03-02T09:55:30Z',
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  outcome: null,
  escalationLevel: 0,
  escalatedAt: null,
} as unknown as Alert;
const event = (type: AlertEvent['type'], detail: Record<string, unknown> = {}, actor: string | null = null): AlertEvent => ({
  id: 'e',
  at: '2026-03-02T09:58:00Z',
  type,
  actor,
  detail,
});

describe('alert words', () => {
  it('says where an alert stands: unacknowledged for how long, or acknowledged and resolved how long ago by whom', () => {
    expect(alertStanding(base, NOW)).toBe('Unacknowledged 4 min');
    expect(alertStanding({ ...base, state: 'acknowledged', acknowledgedAt: '2026-03-02T09:57:00Z', acknowledgedBy: 'Nurse X' }, NOW)).toBe(
      'Acknowledged 3 min ago by Nurse X',
    );
    expect(
      alertStanding({ ...base, state: 'resolved', resolvedAt: '2026-03-02T09:50:00Z', resolvedBy: 'Nurse Y', outcome: 'false_alarm' }, NOW),
    ).toBe('Resolved 10 min ago by Nurse Y: False alarm');
  });

  it('names the escalation level only once the alert escalated', () => {
    expect(escalationWords(base, NOW)).toBeNull();
    expect(escalationWords({ ...base, escalationLevel: 2, escalatedAt: '2026-03-02T09:59:00Z' }, NOW)).toBe(
      'Escalated to level 2 1 min ago',
    );
  });

  it('tells each step of the history in words, escalations by level or by the priority that rose', () => {
    expect(alertEventWords(event('opened', { priority: 'medium' }))).toBe('Opened at medium priority');
    expect(alertEventWords(event('escalated', { level: 2, unacknowledgedS: 240 }))).toBe('Escalated to level 2: unacknowledged 4 min');
    expect(alertEventWords(event('escalated', { from: 'medium', to: 'high' }))).toBe('Priority rose from medium to high');
    expect(alertEventWords(event('acknowledged', {}, 'Nurse X'))).toBe('Acknowledged by Nurse X');
    expect(alertEventWords(event('resolved', { outcome: 'comforted' }, 'Nurse X'))).toBe('Resolved by Nurse X: Comforted');
    expect(alertEventWords(event('condition_cleared'))).toBe('Condition cleared');
  });
});
