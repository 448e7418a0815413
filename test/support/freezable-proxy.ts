/**
 * A small HTTP proxy in front of a test server that can freeze the live stream: while frozen, open
 * /api/events responses stop receiving bytes (the connection stays open, as behind a stalled proxy
 * or a half-open TCP connection) and new ones get no answer at all. Everything else passes through.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FreezableProxy {
  /** http://127.0.0.1:<port>: open the dashboard here instead of the server's own address. */
  url: string;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

const isEventStream = (req: IncomingMessage) => (req.url ?? '').startsWith('/api/events');

export async function startFreezableProxy(targetUrl: string): Promise<FreezableProxy> {
  const target = new URL(targetUrl);
  let frozen = false;
  /** The server's answers on open event streams (paused while frozen), and event requests held back while frozen. */
  const streams = new Set<IncomingMessage>();
  const waiting: (() => void)[] = [];
  const open = new Set<ServerResponse>();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    // The Host header is kept: the server's same-origin check compares it with the page's Origin.
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (isEventStream(req)) {
          res.flushHeaders();
          if (frozen) answer.pause();
          streams.add(answer);
          answer.on('close', () => streams.delete(answer));
        }
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    if (isEventStream(req) && frozen) waiting.push(() => forward(req, res));
    else forward(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    freeze() {
      frozen = true;
      for (const answer of streams) answer.pause();
    },
    thaw() {
      frozen = false;
      for (const answer of streams) answer.resume();
      for (const go of waiting.splice(0)) go();
    },
    async close() {
      for (const res of open) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
