import { encodePayload, PROTOCOL_VERSION } from '@attune/protocol';
import { describe, expect, it } from 'vitest';
import { ClockOffset } from './clock-offset.ts';

const serverTime = (iso: string) => encodePayload('serverTime', { v: PROTOCOL_VERSION, serverTime: iso });
const T = Date.parse('2026-11-25T10:00:00.000Z');

describe('clock offset from the server time messages', () => {
  it('is unknown before the first message, then the smallest recent sample (delays only add)', () => {
    const clock = new ClockOffset();
    expect(clock.offsetMs()).toBeNull();
    // This clock is 3 h ahead; the messages arrive 40, 5 and 120 ms after the server stamped them.
    const ahead = 3 * 3600_000;
    clock.observe(serverTime(new Date(T).toISOString()), T + ahead + 40);
    clock.observe(serverTime(new Date(T + 10_000).toISOString()), T + 10_000 + ahead + 5);
    clock.observe(serverTime(new Date(T + 20_000).toISOString()), T + 20_000 + ahead + 120);
    expect(clock.offsetMs()).toBe(ahead + 5);
  });

  it('follows a clock that is stepped within a minute, and ignores a message that is not a server time', () => {
    const clock = new ClockOffset();
    for (let i = 0; i < 6; i++) clock.observe(serverTime(new Date(T + i * 10_000).toISOString()), T + i * 10_000 - 2000);
    expect(clock.offsetMs()).toBe(-2000);
    for (let i = 6; i < 12; i++) clock.observe(serverTime(new Date(T + i * 10_000).toISOString()), T + i * 10_000 + 15);
    expect(clock.offsetMs()).toBe(15);
    expect(clock.observe(Buffer.from('{"v":2,"serverTime":"soon"}'), T)).toBe(false);
    expect(clock.offsetMs()).toBe(15);
  });
});
