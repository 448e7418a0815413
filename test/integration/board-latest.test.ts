/**
 * The board's newest window per stay, read across daily partitions of score_window: the newest
 * wins whatever day it is stored in, and a stay without windows is simply absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScoreRepository } from '../../server/src/repositories/score.repository.ts';
import { backends, makeWindow, startTestSystem, storeWindowsUnevaluated, type TestSystem } from '../support/system.ts';

const DAY_MS = 86_400_000;

describe.each(backends())("the board's newest window per stay on $label", (backend) => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem({ backend, beds: Array.from({ length: 3 }, () => ({ consent: { camera: false, wearable: true } })) });
  });
  afterAll(async () => sys?.stop());

  it('takes the newest window of each stay, across days', async () => {
    const [a, b, c] = sys.devices;
    const nowMs = Date.now();
    const at = (msAgo: number, distress: number, device = a!, seq = 0) =>
      makeWindow(device.deviceId, seq, new Date(nowMs - msAgo), { distress, confidence: 0.9 });
    await storeWindowsUnevaluated(sys, a!.stayId, [at(2 * DAY_MS, 0.1, a, 1), at(60_000, 0.7, a, 3), at(DAY_MS, 0.2, a, 2)]);
    await storeWindowsUnevaluated(sys, b!.stayId, [at(3 * DAY_MS, 0.4, b, 1)]);
    const latest = await new ScoreRepository(sys.server.db).latest([a!.stayId!, b!.stayId!, c!.stayId!]);
    expect(latest.map((l) => ({ stayId: l.stayId, distress: l.distress, windowEnd: l.windowEnd.getTime() }))).toEqual(
      [
        { stayId: a!.stayId, distress: 0.7, windowEnd: nowMs - 60_000 },
        { stayId: b!.stayId, distress: 0.4, windowEnd: nowMs - 3 * DAY_MS },
      ].sort((x, y) => x.stayId!.localeCompare(y.stayId!)),
    );
  });
});
