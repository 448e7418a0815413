export { startServer, type RunningServer } from './server.ts';
export { loadConfig, type Config } from './config.ts';
export { createLogger, type Logger } from './logger.ts';
export type { DemoDevice } from './demo/demo-seed.ts';
export { hashPassword, randomSecret } from './security/passwords.ts';
