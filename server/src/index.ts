export { startServer, type RunningServer } from './server.ts';
export { loadConfig, type Config } from './platform/config.ts';
export { createLogger, type Logger } from './platform/logger.ts';
export type { DemoDevice } from './demo/demo-seed.ts';
export { hashPassword, randomSecret } from './security/passwords.ts';
export { ConfigError } from './platform/config.ts';
export { PortInUseError } from './broker/embedded-broker.ts';
export { StayRepository } from './repositories/stay.repository.ts';
export { verifyAllChains, verifyStayChain, type ChainVerdict } from './services/consent-verification.ts';
export type { DeviceRepository } from './repositories/device.repository.ts';
// The mapping from a stored window to what the alert rules read (alert evaluation tools and benchmarks replay it).
export { toRuleWindow } from './domain/distress-rule.ts';
