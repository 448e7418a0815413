import { describe, expect, it } from 'vitest';
import {
  decodePayload,
  encodePayload,
  exampleConsentMessage,
  exampleDeviceConfig,
  exampleDeviceStatus,
  exampleScoreWindow,
  exampleServerTime,
  MAX_PAYLOAD_BYTES,
  parseTopic,
  topics,
  unsafeTextReason,
} from './index.ts';

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const clone = <T>(v: T): T => structuredClone(v);

function expectRejected(result: ReturnType<typeof decodePayload>, reason: string, fragment?: string) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.reason).toBe(reason);
  if (fragment) expect(result.errors.join('\n')).toContain(fragment);
}

describe('valid examples', () => {
  it('accepts the score window, status and consent examples', () => {
    expect(decodePayload('scores', bytes(exampleScoreWindow))).toEqual({ ok: true, value: exampleScoreWindow });
    expect(decodePayload('status', bytes(exampleDeviceStatus))).toEqual({ ok: true, value: exampleDeviceStatus });
    expect(decodePayload('consent', bytes(exampleConsentMessage))).toEqual({ ok: true, value: exampleConsentMessage });
    expect(decodePayload('serverTime', bytes(exampleServerTime))).toEqual({ ok: true, value: exampleServerTime });
    expect(decodePayload('config', bytes(exampleDeviceConfig))).toEqual({ ok: true, value: exampleDeviceConfig });
  });

  it('accepts a status whose clock offset is not measured yet', () => {
    expect(decodePayload('status', bytes({ ...exampleDeviceStatus, clockOffsetMs: null })).ok).toBe(true);
  });

  it('accepts a wearable-only window without a face block', () => {
    const w = clone(exampleScoreWindow);
    delete w.face;
    expect(decodePayload('scores', bytes(w)).ok).toBe(true);
  });

  it('accepts a face block measured before the neutral baseline exists (action units null, not zero)', () => {
    const w = clone(exampleScoreWindow);
    w.face = { ...w.face!, pspi: null, painadFace: null, actionUnits: null };
    expect(decodePayload('scores', bytes(w)).ok).toBe(true);
  });

  it('accepts a consent message for a bed without a stay', () => {
    const c = { ...exampleConsentMessage, stay: null, modalities: { camera: false, wearable: false } };
    expect(decodePayload('consent', bytes(c)).ok).toBe(true);
  });
});

describe('rejections with a readable reason', () => {
  it('rejects an unknown key at the top level and nested, without echoing its name', () => {
    const top = decodePayload('scores', bytes({ ...exampleScoreWindow, image: 'x' }));
    expectRejected(top, 'schema', '(root): unknown key 1 other');
    const nested = clone(exampleScoreWindow) as unknown as { fused: Record<string, unknown> };
    nested.fused.embedding = [0.1, 0.2];
    const result = decodePayload('scores', bytes(nested));
    expectRejected(result, 'schema', 'fused: unknown key');
    // The key is payload content: it never reaches a log line.
    expect(JSON.stringify(result)).not.toContain('embedding');
  });

  it('names a known field put in the wrong place', () => {
    const w = clone(exampleScoreWindow) as unknown as { wearable: Record<string, unknown> };
    w.wearable.pspi = 3;
    expectRejected(decodePayload('scores', bytes(w)), 'schema', 'wearable: unknown key "pspi"');
  });

  it('rejects a wrong type', () => {
    expectRejected(decodePayload('scores', bytes({ ...exampleScoreWindow, seq: '12' })), 'schema', 'seq');
  });

  it('rejects NaN and Infinity however they arrive', () => {
    // JSON cannot carry NaN: a producer writing it literally sends invalid JSON.
    const raw = JSON.stringify(exampleScoreWindow).replace('"distress":0.78', '"distress":NaN');
    expectRejected(decodePayload('scores', bytes(raw)), 'not_json');
    const huge = JSON.stringify(exampleScoreWindow).replace('"distress":0.78', '"distress":1e999');
    expectRejected(decodePayload('scores', bytes(huge)), 'schema', 'fused.distress');
  });

  it('rejects an out-of-range value', () => {
    const w = clone(exampleScoreWindow);
    w.fused.confidence = 1.5;
    expectRejected(decodePayload('scores', bytes(w)), 'schema', 'fused.confidence');
    const hr = clone(exampleScoreWindow);
    hr.wearable!.hrBpm = 400;
    expectRejected(decodePayload('scores', bytes(hr)), 'schema', 'wearable.hrBpm');
  });

  it('rejects a wrong protocol version, v1 included', () => {
    expectRejected(decodePayload('scores', bytes({ ...exampleScoreWindow, v: 1 })), 'schema', 'v');
    expectRejected(decodePayload('consent', bytes({ ...exampleConsentMessage, v: 0 })), 'schema', 'v');
  });

  it('rejects a payload over 4 KiB before parsing it', () => {
    const w = clone(exampleScoreWindow);
    const padded = JSON.stringify(w) + ' '.repeat(MAX_PAYLOAD_BYTES);
    expectRejected(decodePayload('scores', bytes(padded)), 'oversized', '4096');
  });

  it('carries no free text: drivers and the PAINAD basis are codes, any string there is refused', () => {
    const blob = Buffer.from(new Uint8Array(96).map((_, i) => (i * 37) % 256)).toString('base64');
    const w = clone(exampleScoreWindow) as unknown as { fused: { drivers: unknown[] } };
    w.fused.drivers = [`look: ${blob}`];
    expectRejected(decodePayload('scores', bytes(w)), 'schema', 'fused.drivers.0');
    // Short base64 runs joined by hyphens passed the old free-text rule; there is no text field left for them.
    const hyphenated = clone(exampleScoreWindow) as unknown as { fused: { drivers: unknown[] } };
    hyphenated.fused.drivers = [{ code: 'heart_rate_high', value: 96, unit: 'bpm', note: 'aGVsbG8-d29ybGQ-Zm9v' }];
    expectRejected(decodePayload('scores', bytes(hyphenated)), 'schema', 'fused.drivers.0: unknown key');
    const f = clone(exampleScoreWindow) as unknown as { face: { painadFaceBasis: unknown } };
    f.face.painadFaceBasis = 'grimacing';
    expectRejected(decodePayload('scores', bytes(f)), 'schema', 'face.painadFaceBasis');
    expectRejected(decodePayload('consent', bytes({ ...exampleConsentMessage, stay: `${blob.slice(0, 60)}+/` })), 'schema', 'stay');
  });

  it("checks each driver against its code: closed codes, the code's own unit, its range", () => {
    const withDriver = (driver: unknown) => {
      const w = clone(exampleScoreWindow) as unknown as { fused: { drivers: unknown[] } };
      w.fused.drivers = [driver];
      return decodePayload('scores', bytes(w));
    };
    expect(withDriver({ code: 'hrv_low', value: 18, unit: 'ms', baseline: 35, durationS: 30 }).ok).toBe(true);
    expect(withDriver({ code: 'wristband_off' }).ok).toBe(true);
    expectRejected(withDriver({ code: 'heart_rate_sky_high', value: 96, unit: 'bpm' }), 'schema', 'fused.drivers.0.code');
    expectRejected(withDriver({ code: 'heart_rate_high', value: 96, unit: 'ms' }), 'schema', 'heart_rate_high is measured in bpm');
    expectRejected(withDriver({ code: 'heart_rate_high', value: 960, unit: 'bpm' }), 'schema', 'value must lie in 20..250 bpm');
    expectRejected(withDriver({ code: 'heart_rate_high', unit: 'bpm' }), 'schema', 'needs a value');
    expectRejected(withDriver({ code: 'grimace', value: 0.5, unit: 'fraction', baseline: 7 }), 'schema', 'baseline must lie in 0..1');
    expectRejected(withDriver({ code: 'wristband_off', value: 1, unit: 'g' }), 'schema', 'wristband_off carries no value');
    expectRejected(withDriver({ code: 'grimace', value: 0.5, unit: 'fraction', durationS: 1.5 }), 'schema', 'durationS');
    const seven = clone(exampleScoreWindow);
    seven.fused.drivers = Array.from({ length: 7 }, () => ({ code: 'wristband_off' as const }));
    expectRejected(decodePayload('scores', bytes(seven)), 'schema', 'fused.drivers');
  });

  it('refuses control characters, lone surrogates and non-characters in identifiers, with the code point named', () => {
    const nul = decodePayload('scores', bytes({ ...exampleScoreWindow, deviceId: 'bed-03\u0000' }));
    expectRejected(nul, 'schema', 'deviceId: contains a control character (U+0000) at position 6');
    // A lone surrogate written as a JSON escape survives JSON.parse; the schema must refuse it.
    const surrogate = JSON.stringify({ ...exampleScoreWindow, models: { 'wearable-distress': 'X' } }).replace('"X"', '"\\ud800"');
    expectRejected(decodePayload('scores', bytes(surrogate)), 'schema', 'lone surrogate (U+D800)');
    const status = decodePayload('status', bytes({ ...exampleDeviceStatus, agentVersion: '1.0\ufffe' }));
    expectRejected(status, 'schema', 'non-character (U+FFFE)');
  });

  it('rejects non-JSON bytes', () => {
    expectRejected(decodePayload('status', Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'not_json');
  });

  it('rejects a window that ends before it starts', () => {
    const w = { ...exampleScoreWindow, windowEnd: exampleScoreWindow.windowStart };
    expectRejected(decodePayload('scores', bytes(w)), 'schema', 'windowEnd');
  });

  it('refuses to encode an invalid message', () => {
    expect(() => encodePayload('scores', { ...exampleScoreWindow, seq: -1 })).toThrow();
  });
});

describe('topics', () => {
  it('builds and parses device topics', () => {
    expect(topics.scores('bed-01-agent')).toBe('attune/v2/devices/bed-01-agent/scores');
    expect(topics.serverTime).toBe('attune/v2/server/time');
    expect(parseTopic('attune/v2/devices/bed-01-agent/consent')).toEqual({ deviceId: 'bed-01-agent', kind: 'consent' });
  });

  it('rejects foreign or malformed topics, v1 included', () => {
    expect(parseTopic('attune/v1/devices/bed-01-agent/scores')).toBeNull();
    expect(parseTopic('attune/v2/devices/Bed 01/scores')).toBeNull();
    expect(parseTopic('attune/v2/devices/bed-01-agent/video')).toBeNull();
    expect(parseTopic('attune/v2/server/time')).toBeNull();
    expect(() => topics.scores('../x')).toThrow();
  });
});

describe('text safety', () => {
  it('finds C0 and C1 controls, DEL, lone surrogates and non-characters, and passes everything else', () => {
    expect(unsafeTextReason('Ana María Núñez-Łukasz 李小龙 🙂')).toBeNull();
    expect(unsafeTextReason('a\u0000b')).toBe('contains a control character (U+0000) at position 1');
    expect(unsafeTextReason('\u001b[31m')).toContain('U+001B');
    expect(unsafeTextReason('x\u007f')).toContain('U+007F');
    expect(unsafeTextReason('x\u0085')).toContain('U+0085');
    expect(unsafeTextReason('\ud800x')).toBe('contains a lone surrogate (U+D800) at position 0');
    expect(unsafeTextReason('x\udfff')).toContain('lone surrogate (U+DFFF)');
    expect(unsafeTextReason('\ufdd0')).toContain('non-character (U+FDD0)');
    expect(unsafeTextReason('\u{1fffe}')).toContain('non-character (U+1FFFE)');
    expect(unsafeTextReason('line one\nline two')).toContain('U+000A');
    expect(unsafeTextReason('line one\r\nline two\tend', { allowLineBreaks: true })).toBeNull();
  });
});
