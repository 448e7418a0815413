/**
 * The real agent says why the face or the wearable was not observed: a bed whose camera is
 * consented but not attached ("Bed 2") reports `not_configured`, not "not consented".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePayload, topics, type ConsentMessage, type ScoreWindow } from '@attune/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../agent.ts';
import { silentLogger } from '../log.ts';
import { connectClient, startBroker, waitFor, type TestBroker } from '../../test/mqtt-harness.ts';

const deviceId = 'bed-02-agent';
const consent = (version: number, modalities: ConsentMessage['modalities']): ConsentMessage => ({
  v: 2,
  deviceId,
  version,
  stay: 'stay-2',
  modalities,
  issuedAt: new Date().toISOString(),
});

describe('agent: why a modality was not observed (quality.unobservedReasons)', () => {
  let broker: TestBroker | null = null;
  let agent: RunningAgent | null = null;
  let dataDir = '';

  afterEach(async () => {
    await agent?.stop();
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    agent = null;
    broker = null;
  });

  it('camera consented but no camera attached: not_configured; wearable withdrawn: no_consent', async () => {
    broker = await startBroker();
    dataDir = mkdtempSync(join(tmpdir(), 'attune-reasons-'));
    const server = await connectClient(broker.url, 'test-server');
    const received: ScoreWindow[] = [];
    server.on('message', (topic, payload) => {
      if (topic !== topics.scores(deviceId)) return;
      const d = decodePayload('scores', payload);
      if (!d.ok) throw new Error(`agent published an invalid window: ${d.errors.join('; ')}`);
      received.push(d.value);
    });
    await server.subscribeAsync(topics.scores(deviceId), { qos: 1 });
    agent = await startAgent(
      {
        deviceId,
        mqtt: { url: broker.url, reconnectMs: 200 },
        dataDir,
        windowMs: 200,
        baselineWindows: 2,
        wearable: { kind: 'simulator', seed: 2, episodes: [] },
      },
      { log: silentLogger },
    );
    await waitFor(() => agent!.status().connected, 5000, 'agent connected');

    await server.publishAsync(topics.consent(deviceId), JSON.stringify(consent(1, { camera: true, wearable: true })), {
      qos: 1,
      retain: true,
    });
    await waitFor(() => received.filter((w) => w.consentVersion === 1 && w.wearable).length >= 2, 5000, 'windows under consent 1');
    const bed2 = received.filter((w) => w.consentVersion === 1 && w.wearable);
    for (const w of bed2) {
      expect(w.face).toBeUndefined();
      expect(w.quality.faceCoverage).toBe(0); // consented: 0 frames with a face, not null
      expect(w.quality.unobservedReasons?.face).toBe('not_configured');
      expect(w.quality.unobservedReasons?.wearable).toBeUndefined();
    }
    expect(agent.status().sources.camera).toBe('not_configured');

    await server.publishAsync(topics.consent(deviceId), JSON.stringify(consent(2, { camera: true, wearable: false })), {
      qos: 1,
      retain: true,
    });
    await waitFor(() => received.some((w) => w.consentVersion === 2), 5000, 'a window under consent 2');
    const cameraOnly = received.find((w) => w.consentVersion === 2)!;
    expect(cameraOnly.wearable).toBeUndefined();
    expect(cameraOnly.quality.unobservedReasons).toEqual({ face: 'not_configured', wearable: 'no_consent' });
    expect(cameraOnly.fused).toEqual({ distress: 0, confidence: 0, drivers: [] });
    await server.endAsync(true);
  });
});
