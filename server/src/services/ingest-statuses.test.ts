/**
 * Statuses are written in waves beside the receive chain, at most one waiting per device
 * (status-writer.ts). Every agent re-announces its status at most 20 s apart: a wave of them must
 * not hold up anyone's windows, and one device sending statuses as fast as it can must not build a
 * queue that everyone else's statuses wait behind. An offline status (a Last Will) still waits for
 * everything received before it. Fakes stand in for the database so a wave's write can be held open
 * for as long as the test wants.
 */
import { describe, expect, it } from 'vitest';
import { encodePayload, exampleDeviceStatus, exampleScoreWindow, topics } from '@attune/protocol';
import { createLogger } from '../platform/logger.ts';
import { createMetrics } from '../platform/metrics.ts';
import type { DeviceIngestContext } from './device-context.ts';
import type { ReceivedStatus } from './device-status.service.ts';
import { IngestService } from './ingest.service.ts';

function harness(options: { refuse?: string } = {}) {
  /** Each wave's write stays open until the test releases it (a slow database). */
  const waves: { statuses: string[]; release: () => void }[] = [];
  const recorded: string[] = [];
  const stored: string[] = [];
  const metrics = createMetrics();
  const context = (deviceId: string): DeviceIngestContext => ({
    deviceId,
    isActive: true,
    bedId: `bed-of-${deviceId}`,
    wardId: 'ward-1',
    stays: [
      {
        id: `stay-of-${deviceId}`,
        fromAt: new Date(0),
        untilAt: null,
        dataErasedAt: null,
        consent: [{ effectiveAt: new Date(0), camera: true, wearable: true }],
      },
    ],
  });
  const ingest = new IngestService(
    {
      contexts: { get: async (deviceId: string) => context(deviceId) } as never,
      scores: {
        insertBatch: async (rows: { window: { deviceId: string; seq: number } }[]) => {
          stored.push(...rows.map((r) => `${r.window.deviceId}:${r.window.seq}`));
          return rows.map((r) => ({ deviceId: r.window.deviceId, seq: r.window.seq }));
        },
      } as never,
      deviceStatus: {
        recordStatuses: (received: ReceivedStatus[]) => {
          const statuses = received.map((r) => `${r.status.deviceId}:${r.status.state}`);
          // A row the database will not take (not a connection failure): the whole transaction fails.
          if (options.refuse && received.some((r) => r.status.deviceId === options.refuse))
            return Promise.reject(Object.assign(new Error('violates foreign key constraint'), { code: '23503' }));
          return new Promise<void>((resolve) => waves.push({ statuses, release: () => (recorded.push(...statuses), resolve()) }));
        },
        statusRecorded: async () => undefined,
        onScoresSeen: async () => undefined,
      } as never,
      alerts: { onScoreWindow: async () => undefined } as never,
      live: { publish: () => undefined } as never,
      metrics,
      logger: createLogger('error'),
    },
    { batchMaxRows: 1, batchMaxWaitMs: 5, maxClockSkewMs: 60_000, maxAgeMs: 3_600_000, stallMs: 30_000 },
  );
  const status = (deviceId: string, state: 'online' | 'offline') =>
    ingest.handleMessage(
      topics.status(deviceId),
      encodePayload('status', { ...exampleDeviceStatus, deviceId, state, at: new Date().toISOString() }),
    );
  const window = (deviceId: string, seq: number) => {
    const end = Date.now();
    return ingest.handleMessage(
      topics.scores(deviceId),
      encodePayload('scores', {
        ...exampleScoreWindow,
        deviceId,
        seq,
        windowStart: new Date(end - 5000).toISOString(),
        windowEnd: new Date(end).toISOString(),
      }),
    );
  };
  /** Releases waves as they come until `until` settles. */
  const releaseAll = async (until: Promise<unknown>) => {
    let done = false;
    void until.finally(() => (done = true));
    for (let released = 0; !done;) {
      if (waves.length > released) waves[released++]!.release();
      await new Promise((r) => setTimeout(r, 1));
    }
    return until;
  };
  return { waves, recorded, stored, status, window, releaseAll, ingest, metrics };
}

const settled = (p: Promise<unknown>) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))]);

describe('ingest: statuses in waves beside the receive chain', () => {
  it("stores another device's window while a wave of statuses is still being written", async () => {
    const h = harness();
    const statuses = ['bed-1', 'bed-2', 'bed-3'].map((d) => h.status(d, 'online'));
    await expect.poll(() => h.waves.length).toBe(1);
    const window = h.window('bed-4', 1);
    // In the receive chain, the window waited for every status before it to be written and never settled here.
    expect(await settled(window)).toBe(true);
    expect(h.stored).toEqual(['bed-4:1']);
    // The statuses are acknowledged only once written.
    expect(await settled(statuses[0]!)).toBe(false);
    await h.releaseAll(Promise.all(statuses));
    expect(h.recorded).toEqual(['bed-1:online', 'bed-2:online', 'bed-3:online']);
  });

  it('writes the statuses of 50 devices that arrive during one write as the next wave, in one transaction', async () => {
    const h = harness();
    const first = h.status('bed-0', 'online');
    await expect.poll(() => h.waves.length).toBe(1);
    const wave = Array.from({ length: 50 }, (_, i) => h.status(`bed-${i + 1}`, 'online'));
    await h.window('bed-marker', 1); // checked after every status before it: all 50 wait now
    await h.releaseAll(Promise.all([first, ...wave]));
    expect(h.waves.map((w) => w.statuses.length)).toEqual([1, 50]);
  });

  it("keeps one waiting status per device: 1,000 statuses from one device cost one row a wave, and another device's status is in the next wave", async () => {
    const h = harness();
    const first = h.status('bed-calm', 'online');
    await expect.poll(() => h.waves.length).toBe(1);
    const flood = Array.from({ length: 1000 }, () => h.status('bed-flood', 'online'));
    const calm = h.status('bed-calm', 'online');
    await h.window('bed-marker', 1);
    await h.releaseAll(Promise.all([first, calm, ...flood]));
    // Every message is acknowledged: the replaced ones once the status that replaced them is written.
    expect(h.waves.map((w) => w.statuses)).toEqual([['bed-calm:online'], ['bed-flood:online', 'bed-calm:online']]);
    expect(h.metrics.text()).toContain('attune_ingest_statuses_replaced_total 999');
  });

  it('records an offline status (a Last Will) after an online status already being written, and in place of one still waiting', async () => {
    const h = harness();
    const online = h.status('bed-1', 'online');
    await expect.poll(() => h.waves.length).toBe(1);
    const offline = h.status('bed-1', 'offline');
    expect(await settled(offline)).toBe(false);
    await h.releaseAll(Promise.all([online, offline]));
    expect(h.recorded).toEqual(['bed-1:online', 'bed-1:offline']);

    const blocker = h.status('bed-2', 'online');
    await expect.poll(() => h.waves.length).toBe(3);
    const waitingOnline = h.status('bed-1', 'online');
    const lastWill = h.status('bed-1', 'offline');
    // Wait until the offline status has replaced the waiting one.
    await expect.poll(() => h.metrics.text()).toContain('attune_ingest_statuses_replaced_total 1');
    await h.releaseAll(Promise.all([blocker, waitingOnline, lastWill]));
    expect(h.waves.slice(2).map((w) => w.statuses)).toEqual([['bed-2:online'], ['bed-1:offline']]);
  });

  it('writes the others of a wave when the database refuses one status, and acknowledges the refused one as handled', async () => {
    const h = harness({ refuse: 'bed-gone' });
    const first = h.status('bed-0', 'online');
    await expect.poll(() => h.waves.length).toBe(1);
    const wave = ['bed-1', 'bed-gone', 'bed-2'].map((d) => h.status(d, 'online'));
    await h.window('bed-marker', 1);
    await h.releaseAll(Promise.all([first, ...wave]));
    expect(h.recorded.sort()).toEqual(['bed-0:online', 'bed-1:online', 'bed-2:online']);
    expect(h.metrics.text()).toContain('attune_ingest_rejected_total{reason="server_error"} 1');
  });

  it('drain waits for every status handed over', async () => {
    const h = harness();
    const statuses = ['bed-1', 'bed-2'].map((d) => h.status(d, 'online'));
    await expect.poll(() => h.waves.length).toBe(1);
    const drained = h.ingest.drain();
    expect(await settled(drained)).toBe(false);
    await h.releaseAll(drained);
    await Promise.all(statuses);
    expect(h.recorded).toHaveLength(2);
  });
});
