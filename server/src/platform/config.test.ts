import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const escalateAfter = (value: string | undefined) =>
  loadConfig(value === undefined ? {} : { ALERT_ESCALATE_AFTER_S: value }).ALERT_ESCALATE_AFTER_S;

describe('ALERT_ESCALATE_AFTER_S', () => {
  it('defaults to 120 s for high and 300 s for medium', () => {
    expect(escalateAfter(undefined)).toEqual({ high: 120, medium: 300 });
    expect(escalateAfter('')).toEqual({ high: 120, medium: 300 });
  });

  it('takes one number for both priorities', () => {
    expect(escalateAfter('2')).toEqual({ high: 2, medium: 2 });
    expect(escalateAfter(' 90 ')).toEqual({ high: 90, medium: 90 });
  });

  it('takes per-priority values, a priority left out keeping its default', () => {
    expect(escalateAfter('high=60,medium=240')).toEqual({ high: 60, medium: 240 });
    expect(escalateAfter('medium = 600')).toEqual({ high: 120, medium: 600 });
  });

  it.each([
    ['0', /from 1 to 86400/],
    ['-5', /from 1 to 86400/],
    ['two', /number of seconds/],
    ['100000', /from 1 to 86400/],
    ['low=30', /low priority never escalates/],
    ['high=60;medium=300', /not high=<seconds>/],
    ['high=', /high must be a number/],
    ['urgent=30', /not high=<seconds>/],
    ['high=120,high=30', /high is given twice/],
  ])('refuses %s, naming the variable', (value, message) => {
    expect(() => escalateAfter(value)).toThrow(ConfigError);
    expect(() => escalateAfter(value)).toThrow(/ALERT_ESCALATE_AFTER_S/);
    expect(() => escalateAfter(value)).toThrow(message);
  });
});
