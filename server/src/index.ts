export { startServer, type RunningServer } from './server.ts';
export { loadConfig, type Config } from './platform/config.ts';
export { createLogger, type Logger } from './platform/logger.ts';
export type { DemoDevice } from './demo/demo-seed.ts';
export { hashPassword, randomSecret } from './security/passwords.ts';
export { ConfigError } from './platform/config.ts';
export { PortInUseError } from './broker/embedded-broker.ts';
export { StayRepository } from './repositories/stay.repository.ts';
export { verifyAllChains, verifyStayChain, type ChainVerdict } from './services/consent-verification.ts';
