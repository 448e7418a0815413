/**
 * decodePayload, the one door every device message passes, against 100,000 generated hostile
 * payloads per run (fast-check; the seed is printed, ATTUNE_FUZZ_SEED repeats a run): it never
 * throws, refuses with one of its three reasons, never repeats payload content in a reason, and
 * whatever it accepts is a window the protocol itself would send.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload, MAX_PAYLOAD_BYTES } from '@attune/protocol';
import { hostilePayload, MARKER } from '../support/hostile-payloads.ts';

const RUNS = 100_000;

describe('decodePayload under hostile input', () => {
  it(`never throws (on any topic), refuses with a known reason and without echoing content, accepts only sendable windows (${RUNS} payloads)`, () => {
    const seed = Number(process.env.ATTUNE_FUZZ_SEED ?? Date.now() % 2 ** 31);
    const tally = { accepted: 0, oversized: 0, not_json: 0, schema: 0 };
    fc.assert(
      fc.property(hostilePayload('bed-03-agent'), (bytes) => {
        // The same bytes on the other topics a device or the server reads: never a throw, never echoed content.
        for (const kind of ['status', 'consent', 'serverTime'] as const) {
          const other = decodePayload(kind, bytes);
          if (!other.ok) expect(other.errors.join('\n')).not.toContain(MARKER);
        }
        const result = decodePayload('scores', bytes);
        if (result.ok) {
          tally.accepted += 1;
          const again = encodePayload('scores', result.value);
          expect(again.byteLength).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
          // Compared as JSON: -0 is a valid distress but JSON writes it as 0.
          const roundTrip = decodePayload('scores', again);
          expect(roundTrip.ok && JSON.stringify(roundTrip.value)).toBe(JSON.stringify(result.value));
          return;
        }
        tally[result.reason] += 1;
        expect(['oversized', 'not_json', 'schema']).toContain(result.reason);
        expect(result.errors.length).toBeGreaterThan(0);
        expect(result.errors.join('\n')).not.toContain(MARKER);
      }),
      { numRuns: RUNS, seed },
    );
    console.log(`decodePayload fuzz (seed ${seed}): ${JSON.stringify(tally)}`);
    // The generator reaches every kind of refusal and some windows survive mutation.
    expect(Object.values(tally).every((n) => n > 0)).toBe(true);
  }, 300_000);
});
