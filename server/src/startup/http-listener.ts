import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { PortInUseError } from '../broker/embedded-broker.ts';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import type { StopStack } from './stop-stack.ts';

/** Listens on HOST:PORT with the app (API, SSE and dashboard on one origin); a busy port is said in words. */
export async function listenHttp(
  fetch: (request: Request) => Response | Promise<Response>,
  config: Config,
  stops: StopStack,
  logger: Logger,
): Promise<{ httpPort: number; url: string }> {
  const http: ServerType = await new Promise((resolve, reject) => {
    const server = serve({ fetch, port: config.PORT, hostname: config.HOST }, () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(`HTTP port ${config.PORT} is already in use: set PORT to a free port, or stop what is listening there.`)
          : error,
      ),
    );
  });
  stops.push(
    () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        (http as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  );
  const httpPort = (http.address() as AddressInfo).port;
  const url = `http://localhost:${httpPort}`;
  logger.info('http listening', { url });
  return { httpPort, url };
}
