import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@attune/models/rng';
import { nextHeartbeatDelayMs, STATUS_HEARTBEAT_MS } from '@attune/protocol';

describe('heartbeat delay', () => {
  it('keeps the protocol promise: a status at least every STATUS_HEARTBEAT_MS, never sooner than 80 % of it', () => {
    expect(nextHeartbeatDelayMs(() => 0)).toBe(0.8 * STATUS_HEARTBEAT_MS);
    expect(nextHeartbeatDelayMs(() => 0.999_999)).toBe(STATUS_HEARTBEAT_MS);
    const random = mulberry32(7);
    for (let i = 0; i < 10_000; i++) {
      const delayMs = nextHeartbeatDelayMs(random);
      expect(delayMs).toBeGreaterThanOrEqual(0.8 * STATUS_HEARTBEAT_MS);
      expect(delayMs).toBeLessThanOrEqual(STATUS_HEARTBEAT_MS);
    }
  });

  it('lets 1,000 agents started in the same second drift apart: after 3 minutes no second carries more than an eighth of them (110 with this seed)', () => {
    const agents = 1000;
    const random = mulberry32(42);
    const perSecond = new Map<number, number>();
    for (let agent = 0; agent < agents; agent++) {
      // Every agent starts at 0 (say, the ward's power came back); count its beats between 180 s and 240 s.
      for (let atMs = nextHeartbeatDelayMs(random); atMs < 240_000; atMs += nextHeartbeatDelayMs(random)) {
        if (atMs < 180_000) continue;
        const second = Math.floor(atMs / 1000);
        perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      }
    }
    // In step, all 1,000 would arrive within one second every 20 s.
    const busiest = Math.max(...perSecond.values());
    expect(busiest).toBeLessThanOrEqual(agents / 8);
  });
});
