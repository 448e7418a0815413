import { describe, expect, it } from 'vitest';
import {
  decodePayload,
  encodePayload,
  exampleConsentMessage,
  exampleDeviceStatus,
  exampleScoreWindow,
  MAX_PAYLOAD_BYTES,
  parseTopic,
  topics,
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
  it('rejects an unknown key at the top level and nested', () => {
    expectRejected(decodePayload('scores', bytes({ ...exampleScoreWindow, image: 'x' })), 'schema', 'image');
    const nested = clone(exampleScoreWindow) as unknown as { fused: Record<string, unknown> };
    nested.fused.embedding = [0.1, 0.2];
    expectRejected(decodePayload('scores', bytes(nested)), 'schema', 'embedding');
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

  it('rejects a wrong protocol version', () => {
    expectRejected(decodePayload('scores', bytes({ ...exampleScoreWindow, v: 2 })), 'schema', 'v');
    expectRejected(decodePayload('consent', bytes({ ...exampleConsentMessage, v: 0 })), 'schema', 'v');
  });

  it('rejects a payload over 4 KiB before parsing it', () => {
    const w = clone(exampleScoreWindow);
    const padded = JSON.stringify(w) + ' '.repeat(MAX_PAYLOAD_BYTES);
    expectRejected(decodePayload('scores', bytes(padded)), 'oversized', '4096');
  });

  it('rejects a long base64-like string in any string field', () => {
    const blob = Buffer.from(new Uint8Array(96).map((_, i) => (i * 37) % 256)).toString('base64');
    const w = clone(exampleScoreWindow);
    w.fused.drivers = [`look: ${blob}`];
    expectRejected(decodePayload('scores', bytes(w)), 'schema', 'base64');
    const f = clone(exampleScoreWindow);
    f.face!.painadFaceBasis = blob.slice(0, 100);
    expectRejected(decodePayload('scores', bytes(f)), 'schema', 'face.painadFaceBasis');
    expectRejected(decodePayload('consent', bytes({ ...exampleConsentMessage, stay: blob.slice(0, 60) })), 'schema', 'stay');
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
    expect(topics.scores('bed-01-agent')).toBe('attune/v1/devices/bed-01-agent/scores');
    expect(parseTopic('attune/v1/devices/bed-01-agent/consent')).toEqual({ deviceId: 'bed-01-agent', kind: 'consent' });
  });

  it('rejects foreign or malformed topics', () => {
    expect(parseTopic('attune/v2/devices/bed-01-agent/scores')).toBeNull();
    expect(parseTopic('attune/v1/devices/Bed 01/scores')).toBeNull();
    expect(parseTopic('attune/v1/devices/bed-01-agent/video')).toBeNull();
    expect(() => topics.scores('../x')).toThrow();
  });
});
