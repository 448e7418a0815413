/**
 * Puts a device's remote configuration on its config topic with the server's MQTT session:
 * retained and QoS 1, as consent is, so an agent that connects later still gets it. Clearing
 * publishes an empty retained payload, which removes the retained message (MQTT 3.1.1 §3.3.1.3)
 * and is delivered to an agent connected now, which goes back to its local file.
 */
import type { MqttClient } from 'mqtt';
import { encodePayload, topics } from '@attune/protocol';
import type { DeviceConfigPublisher } from '../services/device-config.service.ts';

export function mqttDeviceConfigPublisher(client: MqttClient): DeviceConfigPublisher {
  return {
    async publishDeviceConfig(deviceId, message) {
      const payload = message ? encodePayload('config', message) : Buffer.alloc(0);
      await client.publishAsync(topics.config(deviceId), payload, { qos: 1, retain: true });
    },
  };
}
