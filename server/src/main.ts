/** `node server` entry: load configuration, start, stop cleanly on SIGTERM/SIGINT. */
import { ConfigError, loadConfig } from './platform/config.ts';
import { PortInUseError } from './broker/embedded-broker.ts';
import { createLogger } from './platform/logger.ts';
import { startServer } from './server.ts';

try {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const server = await startServer(config, { logger });
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping', { signal });
      server.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof PortInUseError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
