/**
 * A live server under 100,000 generated payloads per backend, sent by enrolled devices on their own
 * topics (fast-check; the seed is printed, ATTUNE_FUZZ_SEED repeats a run): random bytes, mutated
 * windows, deep nesting, every Unicode plane, extreme numbers, huge strings, mixed with valid windows
 * and redeliveries. Nothing crashes or stalls, every valid window is stored once, and every refusal
 * is counted.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '@attune/models/rng';
import { decodePayload, encodePayload, topics } from '@attune/protocol';
import { hostilePayload, validWindow } from '../support/hostile-payloads.ts';
import { readMetric } from '../support/metrics.ts';
import { backends, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

const PAYLOADS = 100_000;
const DEVICES = 10;
const VALID_SHARE = 0.2;
const IN_FLIGHT_PER_DEVICE = 200;

describe.each(backends())('live ingest under hostile input on $label', (backend) => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem({
      backend,
      beds: Array.from({ length: DEVICES }, () => ({ consent: { camera: false, wearable: true } })),
      // 100,000 payloads as fast as possible: the embedded broker's per-client rate cap (tested in
      // broker-limits.test.ts) would make this a test of the cap, not of ingest.
      env: { MQTT_CLIENT_PACKETS_PER_S: '100000', MQTT_CLIENT_PACKET_BURST: '100000' },
    });
  });
  afterAll(async () => sys?.stop());

  it(`stores every valid window once and counts every refusal, without a stall (${PAYLOADS} payloads)`, async () => {
    const seed = Number(process.env.ATTUNE_FUZZ_SEED ?? Date.now() % 2 ** 31);
    const perDevice = PAYLOADS / DEVICES;
    const validPerDevice = Math.round(perDevice * VALID_SHARE);
    const redeliveredPerDevice = Math.round(validPerDevice / 20);
    const now = Date.now();
    // Valid windows span the last 45 minutes, all under the consent the seed recorded 50 minutes ago.
    const spanMs = 44 * 60_000;
    const plans = sys.devices.map((d, i) => {
      const valid = Array.from({ length: validPerDevice }, (_, k) =>
        encodePayload('scores', validWindow(d.deviceId, k + 1, now - 60_000 - spanMs + Math.floor((k * spanMs) / validPerDevice))),
      );
      // Hostile payloads that the protocol refuses (a mutation that leaves a window valid is left out).
      const hostile = fc
        .sample(hostilePayload(d.deviceId), { numRuns: (perDevice - validPerDevice - redeliveredPerDevice) * 2, seed: seed + i })
        .filter((bytes) => !decodePayload('scores', bytes).ok)
        .slice(0, perDevice - validPerDevice - redeliveredPerDevice);
      const messages = [...valid, ...valid.slice(0, redeliveredPerDevice), ...hostile.map((b) => Buffer.from(b))];
      // Interleave deterministically (Fisher-Yates on the seed) so valid, redelivered and hostile messages mix.
      const rand = mulberry32(seed + 100 + i);
      for (let k = messages.length - 1; k > 0; k--) {
        const j = Math.floor(rand() * (k + 1));
        [messages[k], messages[j]] = [messages[j]!, messages[k]!];
      }
      return { device: d, messages, hostile: hostile.length };
    });
    const hostileTotal = plans.reduce((s, p) => s + p.hostile, 0);
    const validTotal = DEVICES * validPerDevice;
    const redeliveredTotal = DEVICES * redeliveredPerDevice;
    expect(hostileTotal + validTotal + redeliveredTotal).toBe(PAYLOADS);

    const refusals = async () =>
      (
        await Promise.all(
          ['oversized', 'not_json', 'schema'].map((reason) => readMetric(sys.baseUrl, 'attune_ingest_rejected_total', { reason })),
        )
      ).reduce((a, b) => a + b, 0);
    const refusedBefore = await refusals();
    const duplicatesBefore = await readMetric(sys.baseUrl, 'attune_ingest_duplicates_total');
    const startedMs = Date.now();
    await Promise.all(
      plans.map(async ({ device, messages }) => {
        const client = await sys.connectDevice(device.deviceId);
        const inFlight = new Set<Promise<unknown>>();
        for (const payload of messages) {
          const p = client.publishAsync(topics.scores(device.deviceId), payload, { qos: 1 });
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
          if (inFlight.size >= IN_FLIGHT_PER_DEVICE) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
        await client.endAsync();
      }),
    );
    const stored = async () => Number((await sys.server.db.query<{ n: number }>(`select count(*)::int as n from score_window`))[0]!.n);
    await waitFor(async () => (await stored()) >= validTotal, 'every valid window stored', 60_000);
    await waitFor(async () => (await refusals()) - refusedBefore >= hostileTotal, 'every refusal counted', 30_000);
    console.log(
      `ingest fuzz (${backend.label}, seed ${seed}): ${PAYLOADS} payloads in ${((Date.now() - startedMs) / 1000).toFixed(1)} s; ` +
        `${validTotal} valid, ${redeliveredTotal} redelivered, ${hostileTotal} hostile`,
    );
    expect(await stored()).toBe(validTotal);
    expect((await refusals()) - refusedBefore).toBe(hostileTotal);
    expect((await readMetric(sys.baseUrl, 'attune_ingest_duplicates_total')) - duplicatesBefore).toBe(redeliveredTotal);
    // Ready again once its own backlog is stored (on the shared test Mosquitto, other suites'
    // device traffic also passes through this server, so allow it time rather than expect an instant 200).
    const readyz = async () => {
      const res = await fetch(`${sys.baseUrl}/readyz`);
      return { status: res.status, problems: ((await res.json()) as { problems: string[] }).problems };
    };
    await waitFor(async () => (await readyz()).status === 200, '/readyz 200 after the run', 60_000).catch(async (error: Error) => {
      throw new Error(`${error.message}; problems: ${JSON.stringify((await readyz()).problems)}`);
    });
  }, 300_000);
});
