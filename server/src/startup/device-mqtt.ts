import { readDeviceCa } from '../broker/tls-files.ts';
import type { EmbeddedBroker } from '../broker/embedded-broker.ts';
import type { Config } from '../platform/config.ts';
import type { DeviceMqttEndpoint } from '../services/enrolment.service.ts';

/**
 * The broker address and CA an enrolled agent is given: DEVICE_MQTT_URL, else MQTT_URL, else the
 * embedded broker on the host name the agent reached the server by (mqtts:// on its TLS port when
 * it has a certificate, which a device should use). The CA (read once, here) only with mqtts://.
 */
export function deviceMqttEndpoint(config: Config, broker: EmbeddedBroker | null): DeviceMqttEndpoint {
  const caPem = readDeviceCa(config);
  const withCa = (url: string) => ({ url, caPem: url.startsWith('mqtts:') ? caPem : null });
  return (serverUrl) => {
    const configured = config.DEVICE_MQTT_URL ?? config.MQTT_URL;
    if (configured || !broker) return withCa(configured ?? 'mqtt://localhost:1883');
    const host = serverUrl.hostname;
    return withCa(broker.tlsPort !== null ? `mqtts://${host}:${broker.tlsPort}` : `mqtt://${host}:${broker.port}`);
  };
}
