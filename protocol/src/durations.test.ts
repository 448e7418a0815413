import { describe, expect, it } from 'vitest';
import { formatElapsed } from './durations.ts';

describe('formatElapsed', () => {
  it('uses seconds under a minute, then rounds minutes down', () => {
    expect(formatElapsed(45)).toBe('45 s');
    expect(formatElapsed(60)).toBe('1 min');
    expect(formatElapsed(119)).toBe('1 min');
    expect(formatElapsed(4 * 60 + 59)).toBe('4 min');
    expect(formatElapsed(3600)).toBe('1 h');
    expect(formatElapsed(3600 + 5 * 60)).toBe('1 h 5 min');
    expect(formatElapsed(7200)).toBe('2 h');
  });

  it('never says a negative or fractional span', () => {
    expect(formatElapsed(-3)).toBe('0 s');
    expect(formatElapsed(59.9)).toBe('59 s');
  });
});
