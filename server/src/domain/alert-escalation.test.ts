import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ESCALATE_AFTER_S,
  escalationCheckEveryMs,
  firingAgain,
  MAX_ESCALATION_LEVEL,
  nextEscalation,
  type EscalationInput,
} from './alert-escalation.ts';

const since = new Date('2026-12-02T10:00:00Z');
const after = (s: number) => new Date(since.getTime() + s * 1000);
const high = (over: Partial<EscalationInput> = {}): EscalationInput => ({
  priority: 'high',
  state: 'firing',
  firingSince: since,
  escalationLevel: 0,
  ...over,
});

describe('nextEscalation', () => {
  it('raises a high alert to level 1 after 120 s unacknowledged, not a second before', () => {
    expect(nextEscalation(high(), DEFAULT_ESCALATE_AFTER_S, after(119.999))).toBeNull();
    expect(nextEscalation(high(), DEFAULT_ESCALATE_AFTER_S, after(120))).toEqual({ level: 1, unacknowledgedS: 120 });
  });

  it('raises level N at N periods, one level at a time even when several are overdue', () => {
    expect(nextEscalation(high({ escalationLevel: 1 }), DEFAULT_ESCALATE_AFTER_S, after(239))).toBeNull();
    expect(nextEscalation(high({ escalationLevel: 1 }), DEFAULT_ESCALATE_AFTER_S, after(240))).toEqual({ level: 2, unacknowledgedS: 240 });
    // A server that was down for 10 min: level 1 first, the next levels on the following runs.
    expect(nextEscalation(high(), DEFAULT_ESCALATE_AFTER_S, after(600))).toEqual({ level: 1, unacknowledgedS: 600 });
  });

  it('uses the medium period for medium alerts and never escalates low ones', () => {
    expect(nextEscalation(high({ priority: 'medium' }), DEFAULT_ESCALATE_AFTER_S, after(299))).toBeNull();
    expect(nextEscalation(high({ priority: 'medium' }), DEFAULT_ESCALATE_AFTER_S, after(300))?.level).toBe(1);
    expect(nextEscalation(high({ priority: 'low' }), DEFAULT_ESCALATE_AFTER_S, after(86_400))).toBeNull();
  });

  it('stops at the maximum level', () => {
    expect(nextEscalation(high({ escalationLevel: MAX_ESCALATION_LEVEL - 1 }), DEFAULT_ESCALATE_AFTER_S, after(360))?.level).toBe(
      MAX_ESCALATION_LEVEL,
    );
    expect(nextEscalation(high({ escalationLevel: MAX_ESCALATION_LEVEL }), DEFAULT_ESCALATE_AFTER_S, after(86_400))).toBeNull();
  });

  it('never escalates an acknowledged or resolved alert', () => {
    expect(nextEscalation(high({ state: 'acknowledged' }), DEFAULT_ESCALATE_AFTER_S, after(3600))).toBeNull();
    expect(nextEscalation(high({ state: 'resolved' }), DEFAULT_ESCALATE_AFTER_S, after(3600))).toBeNull();
  });
});

describe('firingAgain', () => {
  it('starts a new unacknowledged stretch only after an acknowledgement', () => {
    const at = after(900);
    expect(firingAgain('acknowledged', at)).toEqual({ firingSince: at, escalationLevel: 0, escalatedAt: null });
    expect(firingAgain('firing', at)).toEqual({});
  });
});

describe('escalationCheckEveryMs', () => {
  it('looks every 5 s with the defaults and more often for short periods, never under 0.5 s', () => {
    expect(escalationCheckEveryMs(DEFAULT_ESCALATE_AFTER_S)).toBe(5000);
    expect(escalationCheckEveryMs({ high: 8, medium: 300 })).toBe(2000);
    expect(escalationCheckEveryMs({ high: 1, medium: 1 })).toBe(500);
  });
});
