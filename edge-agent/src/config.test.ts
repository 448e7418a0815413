import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig, readMqttCa } from './config.ts';

const valid = { deviceId: 'bed-01-agent', mqtt: { url: 'mqtt://localhost:1883' }, dataDir: './data' };

describe('config', () => {
  it('applies defaults', () => {
    const c = parseConfig(valid);
    expect(c.windowMs).toBe(5000);
    expect(c.baselineWindows).toBe(24);
    expect(c.maxOutboxMessages).toBe(100_000);
    expect(c.wearable).toEqual({ kind: 'none' });
    expect(c.camera).toEqual({ kind: 'none' });
  });

  it('fails fast naming the bad field', () => {
    expect(() => parseConfig({ ...valid, deviceId: 'Bed 1' })).toThrow(/deviceId/);
    expect(() => parseConfig({ ...valid, mqtt: { url: 'not a url' } })).toThrow(/mqtt\.url/);
    expect(() => parseConfig({ ...valid, windowMs: 10 })).toThrow(/windowMs/);
    expect(() => parseConfig({ ...valid, wearable: { kind: 'simulator', episodes: [{ startS: 1, durationS: 5, intensity: 2 }] } })).toThrow(
      /wearable\.episodes\.0\.intensity/,
    );
    expect(() => parseConfig({ ...valid, wearable: { kind: 'bluetooth' } })).toThrow(ConfigError);
    expect(() => parseConfig({ ...valid, extra: 1 })).toThrow(/extra|unrecognized/i);
  });

  it('resolves relative paths against the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-cfg-'));
    try {
      const file = join(dir, 'agent.json');
      writeFileSync(file, JSON.stringify({ ...valid, wearable: { kind: 'e4-replay', dir: 'rec/bed-01' } }));
      const c = loadConfigFile(file);
      expect(c.dataDir).toBe(join(dir, 'data'));
      expect(c.wearable).toEqual({ kind: 'e4-replay', dir: join(dir, 'rec/bed-01'), loop: true });
      writeFileSync(file, '{ not json');
      expect(() => loadConfigFile(file)).toThrow(/cannot read config/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes a CA file for TLS urls only, resolved against the config file, and fails naming it when unreadable', () => {
    // A URL that does not parse is named as the URL's problem, not a crash of the caFile check.
    expect(() => parseConfig({ ...valid, mqtt: { url: 'not a url', caFile: 'ca.pem' } })).toThrow(/mqtt\.url/);
    expect(() => parseConfig({ ...valid, mqtt: { url: 'mqtt://localhost:1883', caFile: 'ca.pem' } })).toThrow(
      /mqtt\.caFile: caFile is only used with an mqtts/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'attune-cfg-'));
    try {
      const file = join(dir, 'agent.json');
      writeFileSync(file, JSON.stringify({ ...valid, mqtt: { url: 'mqtts://broker.example:8883', caFile: 'certs/ca.pem' } }));
      const c = loadConfigFile(file);
      expect(c.mqtt.caFile).toBe(join(dir, 'certs/ca.pem'));
      expect(() => readMqttCa(c.mqtt)).toThrow(/mqtt\.caFile: cannot read .*certs\/ca\.pem/);
      writeFileSync(join(dir, 'not-a-cert.pem'), 'hello');
      expect(() => readMqttCa({ ...c.mqtt, caFile: join(dir, 'not-a-cert.pem') })).toThrow(/holds no PEM certificate/);
      expect(readMqttCa({ ...c.mqtt, caFile: undefined })).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
