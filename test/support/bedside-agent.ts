/** The real bedside agent as the integration tests run it for one of the test system's devices. */
import type { AgentConfigInput } from '@attune/edge-agent';
import type { TestDevice } from './system.ts';

/**
 * An agent for `device`, signing in to the broker with the device's own credentials, on a
 * simulated wristband without distress episodes and without a camera.
 */
export function bedsideAgentConfig(
  device: TestDevice,
  o: {
    mqttUrl: string;
    dataDir: string;
    windowMs: number;
    seed: number;
    /** The agent's default when left out. */
    baselineWindows?: number;
    /** The CA certificate to trust, for an mqtts:// broker. */
    caFile?: string;
  },
): AgentConfigInput {
  return {
    deviceId: device.deviceId,
    mqtt: {
      url: o.mqttUrl,
      username: device.deviceId,
      password: device.password,
      reconnectMs: 200,
      ...(o.caFile ? { caFile: o.caFile } : {}),
    },
    dataDir: o.dataDir,
    windowMs: o.windowMs,
    ...(o.baselineWindows ? { baselineWindows: o.baselineWindows } : {}),
    wearable: { kind: 'simulator', seed: o.seed, episodes: [] },
    camera: { kind: 'none' },
  };
}
