/**
 * The real agent says why the face or the wearable was not observed: a bed whose camera is
 * consented but not attached ("Bed 2") reports `not_configured`, not "not consented".
 */
import { topics, type ConsentMessage } from '@attune/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../agent.ts';
import { silentLogger } from '../log.ts';
import { recordScoreWindows, simulatedAgentConfig } from '../../test/agent-harness.ts';
import { connectClient, startBroker, waitFor, type TestBroker } from '../../test/mqtt-harness.ts';
import { tempDirPerTest } from '../../test/temp-dirs.ts';

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
  const tempDir = tempDirPerTest();
  let broker: TestBroker | null = null;
  let agent: RunningAgent | null = null;

  afterEach(async () => {
    await agent?.stop();
    await broker?.stop();
    agent = null;
    broker = null;
  });

  it('camera consented but no camera attached: not_configured; wearable withdrawn: no_consent', async () => {
    broker = await startBroker();
    const dataDir = tempDir('attune-reasons-');
    const server = await connectClient(broker.url, 'test-server');
    const received = await recordScoreWindows(server, deviceId);
    // 500 ms windows: the wristband's skin conductance and temperature come at 4 Hz, so a shorter
    // window can hold neither, and a window without them cannot tell on the wrist from off it.
    const config = { ...simulatedAgentConfig({ deviceId, mqttUrl: broker.url, dataDir, seed: 2 }), windowMs: 500 };
    agent = await startAgent(config, { log: silentLogger });
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
