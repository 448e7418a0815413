import { describe, expect, it } from 'vitest';
import { isValidDeviceId } from '@attune/protocol';
import { canonicalEnrolmentToken, deviceIdCandidates, generateEnrolmentToken } from './enrolment-token.ts';

describe('enrolment tokens', () => {
  it('are four groups of four from an alphabet without look-alikes, and differ every time', () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateEnrolmentToken));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) expect(t).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  });

  it('reads a typed token leniently and refuses what cannot be one', () => {
    expect(canonicalEnrolmentToken(' 7kq2 m9xd-4hva-r0pe ')).toBe('7KQ2-M9XD-4HVA-R0PE');
    expect(canonicalEnrolmentToken('7KQ2-M9XD-4HVA-ROPE')).toBe('7KQ2-M9XD-4HVA-R0PE');
    expect(canonicalEnrolmentToken('IL00-0000-0000-0000')).toBe('1100-0000-0000-0000');
    expect(canonicalEnrolmentToken('7KQ2-M9XD-4HVA')).toBeNull();
    expect(canonicalEnrolmentToken('UUUU-0000-0000-0000')).toBeNull();
    expect(canonicalEnrolmentToken('')).toBeNull();
  });

  it('names devices after the ward and bed, within the protocol, with a suffix when taken', () => {
    const ids = deviceIdCandidates('Ward 7B', 'Bed 03');
    expect(ids(1)).toBe('ward-7b-bed-03-agent');
    expect(ids(2)).toBe('ward-7b-bed-03-agent-2');
    const long = deviceIdCandidates('Paediatric intensive care unit (north)', 'Isolation room bed 12 by the window');
    expect(isValidDeviceId(long(99))).toBe(true);
    expect(isValidDeviceId(deviceIdCandidates('Üüü', '—')(1))).toBe(true);
  });
});
