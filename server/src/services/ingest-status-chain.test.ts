/**
 * Statuses are recorded beside the receive chain, not in it: every agent re-announces its status
 * every 20 s, and a wave of them (each its own transaction) must not hold up anyone's windows. An
 * offline status (a Last Will) still waits for everything received before it. Fakes stand in for
 * the database so a status write can be held open for as long as the test wants.
 */
import { describe, expect, it } from 'vitest';
import { encodePayload, exampleDeviceStatus, exampleScoreWindow, topics, type DeviceStatus } from '@attune/protocol';
import { createLogger } from '../platform/logger.ts';
import { createMetrics } from '../platform/metrics.ts';
import type { DeviceIngestContext } from './device-context.ts';
import { IngestService } from './ingest.service.ts';

function harness() {
  const held: { status: DeviceStatus; release: () => void }[] = [];
  const recorded: string[] = [];
  const stored: string[] = [];
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
        // Each status write stays open until the test releases it (a slow database).
        onStatus: (status: DeviceStatus) =>
          new Promise<void>((resolve) =>
            held.push({ status, release: () => (recorded.push(`${status.deviceId}:${status.state}`), resolve()) }),
          ),
        onScoresSeen: async () => undefined,
      } as never,
      alerts: { onScoreWindow: async () => undefined } as never,
      live: { publish: () => undefined } as never,
      metrics: createMetrics(),
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
  return { held, recorded, stored, status, window };
}

const settled = (p: Promise<unknown>) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))]);

describe('ingest: statuses beside the receive chain', () => {
  it("stores another device's window while a wave of statuses is still being written", async () => {
    const h = harness();
    const statuses = ['bed-1', 'bed-2', 'bed-3'].map((d) => h.status(d, 'online'));
    const window = h.window('bed-4', 1);
    // Old behaviour: the window waited for every status before it to be written, and never settled here.
    expect(await settled(window)).toBe(true);
    expect(h.stored).toEqual(['bed-4:1']);
    // The statuses are acknowledged only once written, one after another in arrival order.
    expect(await settled(statuses[0]!)).toBe(false);
    for (let i = 0; i < 3; i++) {
      await expect.poll(() => h.held.length).toBe(i + 1);
      h.held[i]!.release();
    }
    await Promise.all(statuses);
    expect(h.recorded).toEqual(['bed-1:online', 'bed-2:online', 'bed-3:online']);
  });

  it('records an offline status (a Last Will) only after the statuses received before it', async () => {
    const h = harness();
    const online = h.status('bed-1', 'online');
    const offline = h.status('bed-1', 'offline');
    await expect.poll(() => h.held.length).toBe(1);
    expect(await settled(offline)).toBe(false);
    h.held[0]!.release();
    await online;
    await expect.poll(() => h.held.length).toBe(2);
    h.held[1]!.release();
    await offline;
    expect(h.recorded).toEqual(['bed-1:online', 'bed-1:offline']);
  });
});
