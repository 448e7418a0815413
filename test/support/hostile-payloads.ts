/**
 * Generated MQTT payloads, valid and hostile, for the property-based tests (fast-check): what a
 * broken or malicious device could send on its own scores topic. Every string injected into a
 * payload carries MARKER, so a test can prove no rejection reason (and so no log line) repeats
 * payload content.
 */
import fc from 'fast-check';
import { exampleScoreWindow, MAX_PAYLOAD_BYTES, PROTOCOL_VERSION, type ScoreWindow } from '@attune/protocol';

export const MARKER = 'QZXJ';

/** Code units that break text: C0/C1 controls, lone surrogates, non-characters, plus any code point of any plane. */
const nastyUnit = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x7f, max: 0x9f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\ufffe', '\uffff', '\ufdd0', '\u{1fffe}', '\u{10ffff}', '\u202e', '\u0000'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
/** A string that always carries MARKER, with hostile characters around it. */
export const markedString = fc
  .tuple(fc.string({ unit: nastyUnit, maxLength: 20 }), fc.string({ unit: nastyUnit, maxLength: 20 }))
  .map(([a, b]) => `${a}${MARKER}${b}`);

const extremeNumber = fc.oneof(
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -0, 2 ** 53, 2 ** 64, -1, 1e308, 1e-308),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Any JSON-ish value, with marked strings and extreme numbers. */
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    markedString,
    extremeNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(markedString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Every path to a value inside a window (objects and arrays), for mutation. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...children.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function mutate(window: ScoreWindow, pathIndex: number, how: 'replace' | 'delete' | 'add', replacement: unknown, key: string): unknown {
  const copy = structuredClone(window) as unknown as Record<string, unknown>;
  const all = paths(copy);
  const path = all[pathIndex % all.length]!;
  if (path.length === 0) return how === 'replace' ? replacement : { ...copy, [key]: replacement };
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string | number, unknown>, copy);
  const last = path.at(-1)!;
  if (how === 'delete') delete parent[last];
  else if (how === 'add' && typeof parent === 'object' && !Array.isArray(parent)) parent[`${key}`] = replacement;
  else parent[last] = replacement;
  return copy;
}

/** A valid wearable-only window for `deviceId` with this seq, ending `endMs`. */
export function validWindow(deviceId: string, seq: number, endMs: number, distress = 0.3): ScoreWindow {
  const w = structuredClone(exampleScoreWindow);
  delete w.face;
  w.v = PROTOCOL_VERSION;
  w.deviceId = deviceId;
  w.seq = seq;
  w.windowEnd = new Date(endMs).toISOString();
  w.windowStart = new Date(endMs - 5000).toISOString();
  w.fused = { distress, confidence: 0.9, drivers: [] };
  w.quality = { wearableCoverage: 1, faceCoverage: null, unobserved: ['face', 'expression', 'pain_face'] };
  return w;
}

const encoder = new TextEncoder();
const utf8 = (value: unknown) => encoder.encode(typeof value === 'string' ? value : JSON.stringify(value));

/**
 * Hostile payload bytes for `deviceId`: random bytes, mutated valid windows (a value replaced by
 * anything, a key deleted or added), deep nesting, raw JSON text with lone-surrogate escapes and
 * NaN literals, and huge strings. Most are invalid; a mutation can leave a window valid.
 */
export function hostilePayload(deviceId: string): fc.Arbitrary<Uint8Array> {
  const base = fc.integer({ min: 0, max: 2 ** 31 }).map((seq) => validWindow(deviceId, seq, Date.parse('2026-11-25T10:00:05.000Z')));
  return fc.oneof(
    fc.uint8Array({ maxLength: 600 }),
    fc
      .tuple(
        base,
        fc.nat(),
        fc.constantFrom('replace', 'replace', 'delete', 'add') as fc.Arbitrary<'replace' | 'delete' | 'add'>,
        anyValue,
        markedString,
      )
      .map(([w, i, how, value, key]) => utf8(mutate(w, i, how, value, key))),
    fc.integer({ min: 1, max: 2000 }).map((depth) => utf8('['.repeat(depth) + ']'.repeat(depth))),
    // Raw JSON text JSON.stringify would never write: lone-surrogate and NUL escapes, NaN, overflow.
    fc
      .tuple(base, fc.constantFrom('"\\ud800"', '"\\udfff"', 'NaN', 'Infinity', '-0', '1e400', '"\\u0000"'))
      .map(([w, literal]) => utf8(JSON.stringify(w).replace(/"distress":[0-9.]+/, `"distress":${literal}`))),
    fc.integer({ min: MAX_PAYLOAD_BYTES - 64, max: MAX_PAYLOAD_BYTES * 3 }).map((n) => utf8(`{"v":2,"pad":"${MARKER}${'x'.repeat(n)}"}`)),
  );
}
