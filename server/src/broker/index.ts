/** The broker side of Attune for tests and benchmarks: the embedded broker, its device check and Mosquitto's device accounts. */
export { startEmbeddedBroker, PortInUseError, type EmbeddedBroker } from './embedded-broker.ts';
export type { BrokerLimit } from './connection-gate.ts';
export { createDeviceAuthenticator } from './device-authenticator.ts';
export { createDynsecAccounts, type BrokerAccounts } from './mosquitto-dynsec.ts';
