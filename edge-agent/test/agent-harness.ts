/** Test helpers for suites that run a real agent against the in-process broker. */
import { decodePayload, topics, type ScoreWindow } from '@attune/protocol';
import type { MqttClient } from 'mqtt';
import type { AgentConfigInput } from '../src/config.ts';

/**
 * Subscribes `client`, standing in for the server, to the device's score windows. The returned
 * list fills with every window as it arrives; a window that fails the wire schema fails the test.
 */
export async function recordScoreWindows(client: MqttClient, deviceId: string): Promise<ScoreWindow[]> {
  const received: ScoreWindow[] = [];
  client.on('message', (topic, payload) => {
    if (topic !== topics.scores(deviceId)) return;
    const d = decodePayload('scores', payload);
    if (!d.ok) throw new Error(`agent published an invalid window: ${d.errors.join('; ')}`);
    received.push(d.value);
  });
  await client.subscribeAsync(topics.scores(deviceId), { qos: 1 });
  return received;
}

/** An agent on a simulated wristband without distress episodes, with short windows and a quick baseline. */
export function simulatedAgentConfig(o: { deviceId: string; mqttUrl: string; dataDir: string; seed: number }): AgentConfigInput {
  return {
    deviceId: o.deviceId,
    mqtt: { url: o.mqttUrl, reconnectMs: 200 },
    dataDir: o.dataDir,
    windowMs: 200,
    baselineWindows: 2,
    wearable: { kind: 'simulator', seed: o.seed, episodes: [] },
  };
}
