import { describe, expect, it } from 'vitest';
import { expiryInWords } from './enrolment-words';

describe('expiryInWords', () => {
  const now = Date.parse('2026-12-03T10:00:00Z');
  it('says how long a token stays valid, in minutes or hours, and when it has expired', () => {
    expect(expiryInWords('2026-12-04T10:00:00Z', now)).toMatch(/^in 24 hours \(/);
    expect(expiryInWords('2026-12-03T10:35:00Z', now)).toMatch(/^in 35 minutes \(/);
    expect(expiryInWords('2026-12-03T10:01:00Z', now)).toMatch(/^in 1 minute \(/);
    expect(expiryInWords('2026-12-03T09:59:00Z', now)).toMatch(/^expired \(/);
  });
});
