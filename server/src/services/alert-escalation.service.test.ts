import { describe, expect, it } from 'vitest';
import { createLogger } from '../platform/logger.ts';
import { LiveEvents, type LiveEvent } from '../platform/live-events.ts';
import { createMetrics } from '../platform/metrics.ts';
import type { AlertRepository, AlertRow } from '../repositories/alert.repository.ts';
import { AlertEscalationService } from './alert-escalation.service.ts';

const openedAt = new Date('2026-12-02T10:00:00Z');
/** What escalation reads of an alert; the rest of the row is null (alertToApi copies it as it is). */
const row = (id: string, over: Partial<AlertRow> = {}): AlertRow =>
  ({
    id,
    kind: 'sustained_distress',
    category: 'clinical',
    priority: 'high',
    state: 'firing',
    wardId: 'ward-a',
    bedId: `bed-${id}`,
    bedLabel: `Bed ${id}`,
    openedAt,
    firingSince: openedAt,
    escalationLevel: 0,
    escalatedAt: null,
    updatedAt: openedAt,
    explanation: { summary: 's' },
    ...over,
  }) as unknown as AlertRow;

/** An alert store in memory whose conditional update behaves as the SQL one; `failing` ids throw. */
function fakeAlerts(rows: AlertRow[], failing = new Set<string>()) {
  const events: { id: string; detail: unknown }[] = [];
  const repo = {
    escalationCandidates: async () => rows.filter((r) => r.state === 'firing').map((r) => ({ ...r })),
    escalate: async (id: string, expected: { fromLevel: number; firingSince: Date }, at: Date, detail: unknown) => {
      if (failing.has(id)) throw new Error('connection reset');
      const r = rows.find((x) => x.id === id)!;
      if (r.state !== 'firing' || r.escalationLevel !== expected.fromLevel || r.firingSince.getTime() !== expected.firingSince.getTime())
        return false;
      Object.assign(r, { escalationLevel: expected.fromLevel + 1, escalatedAt: at });
      events.push({ id, detail });
      return true;
    },
    get: async (id: string) => ({ ...rows.find((x) => x.id === id)! }),
  };
  return { repo: repo as unknown as AlertRepository, events };
}

function service(alerts: AlertRepository) {
  const live = new LiveEvents();
  const published: LiveEvent[] = [];
  live.subscribe((e) => published.push(e));
  const metrics = createMetrics();
  return {
    escalation: new AlertEscalationService({ alerts, live, metrics, logger: createLogger('error') }, { high: 120, medium: 300 }),
    published,
    metrics,
  };
}

describe('AlertEscalationService', () => {
  it('raises due alerts one level, publishes the alert and the escalation, and counts it', async () => {
    const { repo, events } = fakeAlerts([row('1'), row('2', { priority: 'medium' })]);
    const { escalation, published, metrics } = service(repo);
    await escalation.check(new Date(openedAt.getTime() + 130_000));
    expect(events).toEqual([{ id: '1', detail: { level: 1, unacknowledgedS: 130 } }]);
    expect(published.map((e) => e.type)).toEqual(['alert', 'escalation']);
    expect(published[1]!.data).toEqual({
      alertId: '1',
      wardId: 'ward-a',
      bedId: 'bed-1',
      bedLabel: 'Bed 1',
      kind: 'sustained_distress',
      priority: 'high',
      level: 1,
      unacknowledgedS: 130,
    });
    expect(metrics.alertEscalations.get({ priority: 'high', level: '1' })).toBe(1);
    // The same run again records nothing: level 2 is not due yet.
    await escalation.check(new Date(openedAt.getTime() + 130_000));
    expect(events).toHaveLength(1);
  });

  it('still escalates the other alerts when one fails, then fails the run so the scheduler logs it and readiness sees it', async () => {
    const { repo, events } = fakeAlerts([row('1'), row('2'), row('3')], new Set(['2']));
    const { escalation } = service(repo);
    await expect(escalation.check(new Date(openedAt.getTime() + 130_000))).rejects.toThrow(/1 of 3 alert escalations failed/);
    expect(events.map((e) => e.id)).toEqual(['1', '3']);
  });

  it('is a job on the scheduler, every 5 s with the default periods', () => {
    expect(service(fakeAlerts([]).repo).escalation.job()).toMatchObject({ name: 'alert-escalation', everyMs: 5000 });
  });
});
