/**
 * The web door: what every `/api` request passes before a route sees it.
 *
 * - Cross-site request forgery. A state-changing request (POST, PUT, PATCH, DELETE) from a browser
 *   must come from the dashboard's own origin: its `Origin` header, when present, must equal the
 *   public origin (PUBLIC_URL, else the origin the request was addressed to), and its
 *   `Sec-Fetch-Site`, when present, must say `same-origin`. Browsers send at least one of them on
 *   every such request (Chromium and Firefox send both), so a page on another port or subdomain of
 *   the same host is refused with 403 although SameSite cookies would let it through. A request with
 *   neither header comes from no browser (a device, a script, a test client): it carries no victim's
 *   cookie by accident, so it is not a forgery and is judged by its session alone.
 * - Bodies must be JSON. A state-changing request with a body must say `application/json` (415
 *   otherwise): text/plain and form posts are what a cross-site page can send without a preflight.
 * - Size. A body over the limit (64 KiB by default) is refused with 413 while it is read, before
 *   anything parses it.
 * - Caching. Every `/api` response says `Cache-Control: no-store`: patient data never stays in a
 *   browser or proxy cache.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './context.ts';
import { errorBody } from './errors.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface WebDoorOptions {
  /** The dashboard's public origin (scheme://host[:port]); null: the origin each request was addressed to. */
  publicOrigin: string | null;
  bodyLimitBytes: number;
}

/** Origin and content-type checks for state-changing requests (see the file comment). */
export function sameOriginJsonOnly(options: Pick<WebDoorOptions, 'publicOrigin'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!STATE_CHANGING.has(c.req.method)) return next();
    const expected = options.publicOrigin ?? new URL(c.req.url).origin;
    const origin = c.req.header('origin');
    const fetchSite = c.req.header('sec-fetch-site');
    if ((origin !== undefined && origin !== expected) || (fetchSite !== undefined && fetchSite !== 'same-origin')) {
      return c.json(errorBody('cross_origin', 'Requests that change data must come from the Attune dashboard itself'), 403);
    }
    const hasBody = (c.req.header('content-length') ?? '0') !== '0' || c.req.header('transfer-encoding') !== undefined;
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (hasBody && type !== 'application/json') {
      return c.json(errorBody('unsupported_media_type', 'Request bodies must be application/json'), 415);
    }
    return next();
  };
}

/** Refuses a body over the limit with 413 while reading it. */
export function limitBody(options: Pick<WebDoorOptions, 'bodyLimitBytes'>): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: options.bodyLimitBytes,
    // The rest of the body is not read, so the connection cannot carry another request: close it.
    onError: (c) =>
      c.json(errorBody('payload_too_large', `Request bodies are limited to ${options.bodyLimitBytes} bytes`), 413, { Connection: 'close' }),
  });
}

/** Every API response: never cached. */
export const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header('Cache-Control', 'no-store');
};
