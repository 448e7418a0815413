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

describe('ATTUNE_INSTANCE_ID (several instances)', () => {
  const shared = { DATABASE_URL: 'postgres://db.example/attune', MQTT_URL: 'mqtt://broker.example:1883' };

  it('is off by default: one instance, as always', () => {
    expect(loadConfig({}).ATTUNE_INSTANCE_ID).toBeUndefined();
  });

  it('takes a plain id with PostgreSQL and an external broker, with a 10 s lease by default', () => {
    const config = loadConfig({ ...shared, ATTUNE_INSTANCE_ID: 'ward-server-2' });
    expect(config.ATTUNE_INSTANCE_ID).toBe('ward-server-2');
    expect(config.LEASE_TTL_S).toBe(10);
    expect(config.MQTT_SHARE_GROUP).toBe('attune');
  });

  it.each([
    [{ ATTUNE_INSTANCE_ID: 'a', MQTT_URL: shared.MQTT_URL }, /DATABASE_URL/],
    [{ ATTUNE_INSTANCE_ID: 'a', DATABASE_URL: shared.DATABASE_URL }, /MQTT_URL/],
    [{ ...shared, ATTUNE_INSTANCE_ID: 'a/b' }, /ATTUNE_INSTANCE_ID/],
    [{ ...shared, ATTUNE_INSTANCE_ID: 'x'.repeat(49) }, /ATTUNE_INSTANCE_ID/],
    [{ ...shared, ATTUNE_INSTANCE_ID: 'a', LEASE_TTL_S: '1' }, /LEASE_TTL_S/],
    [{ ...shared, ATTUNE_INSTANCE_ID: 'a', MQTT_SHARE_GROUP: 'a/#' }, /MQTT_SHARE_GROUP/],
  ])('refuses %o at start, naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });
});

describe('DATABASE_URL', () => {
  it.each([
    'postgres://attune@db.example/attune',
    'postgresql://a:b@10.0.0.5:5433/attune',
    'postgres://db1:5432,db2:5432/attune?target_session_attrs=read-write',
    'postgres:///attune?host=/var/run/postgresql',
    'postgres://attune@/attune?host=/run/postgresql',
  ])('takes %s', (url) => expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url));

  it.each([
    'mysql://db/attune',
    'postgres://',
    'postgres://db1,,db2/attune',
    'db.example/attune',
    'postgres://[::1/attune',
    'postgres:///attune',
  ])('refuses %s', (url) => {
    expect(() => loadConfig({ DATABASE_URL: url })).toThrow(/DATABASE_URL/);
  });
});
