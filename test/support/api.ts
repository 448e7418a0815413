/** Small HTTP helpers for the consent suites: JSON in, status and JSON out, optional cookie. */
import { request } from 'node:http';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert the shapes of docs/api.md
export type Json = any;

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  opts: { cookie?: string; body?: unknown } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: Json = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

/** The `name=value` part of a Set-Cookie header for `name`. */
export function cookieFrom(headers: Headers, name: string): string {
  const cookie = headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (!cookie) throw new Error(`no ${name} cookie set`);
  return cookie.split(';')[0]!;
}

/** Asks for a pairing code as a nurse and pairs a tablet with it; returns the tablet cookie and the pairing response. */
export async function pairTablet(
  baseUrl: string,
  nurseCookie: string,
  bedId: string,
): Promise<{ cookie: string; pairing: Json; tablet: Json }> {
  const pairing = await call(baseUrl, 'POST', `/api/beds/${bedId}/tablet-pairing`, { cookie: nurseCookie });
  if (pairing.status !== 201) throw new Error(`pairing: ${pairing.status} ${JSON.stringify(pairing.body)}`);
  const paired = await call(baseUrl, 'POST', '/api/tablet/pair', { body: { wardId: pairing.body.wardId, code: pairing.body.code } });
  if (paired.status !== 200) throw new Error(`pair: ${paired.status} ${JSON.stringify(paired.body)}`);
  return { cookie: cookieFrom(paired.headers, 'attune_tablet'), pairing: pairing.body, tablet: paired.body.tablet };
}

/** POST /api/tablet/pair from `localAddress` (a loopback address of its own). */
export const pairFrom = (baseUrl: string, localAddress: string, body: unknown) => postFrom(baseUrl, localAddress, '/api/tablet/pair', body);

/**
 * POST `path` from `localAddress`: on Linux all of 127.0.0.0/8 is loopback, so each request can bind
 * its own source address and be counted as another client by the per-address limits.
 */
export function postFrom(
  baseUrl: string,
  localAddress: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Json; retryAfter: string | undefined; setCookie: string[] }> {
  const url = new URL(path, baseUrl);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text ? JSON.parse(text) : null,
            retryAfter: res.headers['retry-after'],
            setCookie: res.headers['set-cookie'] ?? [],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
