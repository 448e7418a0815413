import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findModel, loadManifest } from '@attune/models';
import { decodePayload, topics, type ConsentMessage } from '@attune/protocol';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../agent.ts';
import { silentLogger } from '../log.ts';
import { recordScoreWindows, simulatedAgentConfig } from '../../test/agent-harness.ts';
import { connectClient, startBroker, waitFor, type TestBroker } from '../../test/mqtt-harness.ts';
import { ConsentGate } from './consent-gate.ts';

const deviceId = 'bed-09-agent';
const consent = (version: number, wearable: boolean, stay: string | null = 'stay-1', forDevice = deviceId): ConsentMessage => ({
  v: 2,
  deviceId: forDevice,
  version,
  stay,
  modalities: { camera: false, wearable },
  issuedAt: new Date().toISOString(),
});

describe('ConsentGate', () => {
  it('fails closed and ignores stale, foreign and invalid messages', () => {
    const gate = new ConsentGate(deviceId);
    expect(gate.isAllowed('wearable')).toBe(false);
    expect(gate.applyPayload(Buffer.from('{"v":1}'))).toEqual({ applied: false, reason: 'invalid' });
    expect(gate.apply(consent(3, true, 'stay-1', 'bed-10-agent'))).toEqual({ applied: false, reason: 'other_device' });
    expect(gate.apply(consent(3, true)).applied).toBe(true);
    expect(gate.isAllowed('wearable')).toBe(true);
    expect(gate.isAllowed('camera')).toBe(false);
    expect(gate.apply(consent(2, false))).toEqual({ applied: false, reason: 'stale' });
    expect(gate.isAllowed('wearable')).toBe(true);
    expect(gate.apply(consent(4, true, null)).applied).toBe(true);
    expect(gate.isAllowed('wearable')).toBe(false); // stay: null => everything off
    expect(gate.applyPayload(Buffer.alloc(0)).applied).toBe(true); // cleared retained message
    expect(gate.consent()).toBeNull();
    expect(gate.apply(consent(4, true))).toEqual({ applied: false, reason: 'same_version' });
  });
});

describe('agent consent obedience (in-process broker)', () => {
  let broker: TestBroker | null = null;
  let agent: RunningAgent | null = null;
  let clients: MqttClient[] = [];
  let dataDir = '';

  afterEach(async () => {
    await agent?.stop();
    for (const c of clients) await c.endAsync(true);
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    agent = null;
    broker = null;
    clients = [];
  });

  it('measures nothing until consent, opens only consented modalities, and closes within 2 s of withdrawal', async () => {
    broker = await startBroker();
    dataDir = mkdtempSync(join(tmpdir(), 'attune-consent-'));
    const server = await connectClient(broker.url, 'test-server');
    const received = await recordScoreWindows(server, deviceId);
    agent = await startAgent(simulatedAgentConfig({ deviceId, mqttUrl: broker.url, dataDir, seed: 3 }), { log: silentLogger });
    await waitFor(() => agent!.status().connected, 5000, 'agent connected');

    // Fail closed: connected, no consent yet -> source closed, nothing measured or sent.
    await new Promise((r) => setTimeout(r, 800));
    expect(agent.status().consent).toBeNull();
    expect(agent.status().sources.wearable).toBe('no_consent');
    expect(agent.status().bufferedWearableSamples).toBe(0);
    expect(agent.status().windowsProduced).toBe(0);
    expect(received).toHaveLength(0);

    // A message for another device on our topic is ignored.
    await server.publishAsync(topics.consent(deviceId), JSON.stringify(consent(5, true, 'stay-1', 'bed-10-agent')), {
      qos: 1,
      retain: true,
    });
    await new Promise((r) => setTimeout(r, 400));
    expect(agent.status().consent).toBeNull();
    expect(agent.status().sources.wearable).toBe('no_consent');

    // Consent for the wearable opens it; windows carry the consent version and a wearable block.
    await server.publishAsync(topics.consent(deviceId), JSON.stringify(consent(5, true)), { qos: 1, retain: true });
    await waitFor(() => received.filter((w) => w.wearable).length >= 3, 5000, 'windows with wearable data');
    expect(agent.status().sources.wearable).toBe('streaming');
    expect(received.every((w) => w.consentVersion === 5)).toBe(true);
    expect(received.every((w) => w.face === undefined && w.quality.unobserved.includes('face'))).toBe(true);

    // A lower version is ignored.
    await server.publishAsync(topics.consent(deviceId), JSON.stringify(consent(4, false)), { qos: 1, retain: true });
    await new Promise((r) => setTimeout(r, 400));
    expect(agent.status().sources.wearable).toBe('streaming');
    expect(agent.status().consent?.version).toBe(5);

    // Withdrawal: the source closes and buffered samples are discarded within 2 s.
    const withdrawnAt = Date.now();
    await server.publishAsync(topics.consent(deviceId), JSON.stringify(consent(6, false)), { qos: 1, retain: true });
    await waitFor(
      () => agent!.status().sources.wearable === 'no_consent' && agent!.status().bufferedWearableSamples === 0,
      2000,
      'wearable closed after withdrawal',
    );
    expect(Date.now() - withdrawnAt).toBeLessThan(2000);
    const producedAtWithdrawal = agent.status().windowsProduced;
    await new Promise((r) => setTimeout(r, 800));
    expect(agent.status().bufferedWearableSamples).toBe(0);
    expect(agent.status().windowsProduced).toBe(producedAtWithdrawal); // nothing consented -> nothing measured
    expect(received.filter((w) => w.consentVersion >= 6 && w.wearable)).toHaveLength(0);

    // Re-consent, then `stay: null` turns everything off even though the wearable flag is true.
    await server.publishAsync(topics.consent(deviceId), JSON.stringify(consent(7, true)), { qos: 1, retain: true });
    await waitFor(() => agent!.status().sources.wearable === 'streaming', 2000, 'wearable reopened');
    await server.publishAsync(topics.consent(deviceId), JSON.stringify(consent(8, true, null)), { qos: 1, retain: true });
    await waitFor(
      () => agent!.status().sources.wearable === 'no_consent' && agent!.status().bufferedWearableSamples === 0,
      2000,
      'all off on stay null',
    );

    // The retained status says what the agent is doing.
    const statusClient = await connectClient(broker.url, 'test-status', { clean: true });
    clients.push(statusClient);
    const status = await new Promise<Buffer>((resolve) => {
      statusClient.on('message', (_t, p) => resolve(p));
      void statusClient.subscribeAsync(topics.status(deviceId), { qos: 1 });
    });
    const decoded = decodePayload('status', status);
    expect(decoded.ok && decoded.value.state).toBe('online');
    expect(decoded.ok && decoded.value.models['wearable-distress']).toBe(findModel(loadManifest(), 'wearable-distress').version);
    clients.push(server);
  });
});
