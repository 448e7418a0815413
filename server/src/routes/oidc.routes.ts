/**
 * Single sign-on with the hospital's directory (OpenID Connect, authorization code + PKCE),
 * mounted at /api/auth. `GET /options` tells the sign-in page whether SSO is offered; the flow
 * routes exist only when OIDC_ISSUER / OIDC_CLIENT_ID / OIDC_CLIENT_SECRET are set.
 *
 * Between `start` and `callback` the browser holds one short-lived cookie (`attune_oidc`, 10 min,
 * httpOnly, path /api/auth/oidc) with the state, nonce, PKCE verifier and the page to return to,
 * signed with a key derived from the client secret. It is SameSite=Lax, not Strict like the
 * session: the directory sends the browser back with a cross-site top-level GET, on which a Strict
 * cookie would be withheld. Both routes are GETs that answer with redirects only (no page, no
 * script), so the web door's origin check (state-changing methods only) and the CSP do not apply.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { AuthOptions } from '@attune/protocol/api';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { sessionTokenHash, startSession } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { errorBody } from '../http/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import { DirectoryUnavailableError } from '../services/directory-client.ts';
import type { SingleSignOn } from '../services/directory-sign-in.ts';

export const FLOW_COOKIE = 'attune_oidc';
const FLOW_COOKIE_PATH = '/api/auth/oidc';
const FLOW_TTL_S = 600;

interface FlowState {
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string;
  /** Unix seconds after which the cookie is refused even if the browser still sends it. */
  expiresAt: number;
}

/**
 * The page to return to after sign-in: a path on this origin only. Anything with a scheme, a host
 * (`//evil.example`, `/\evil.example`, which browsers read as `//`), control characters, or a
 * return to the sign-in page itself becomes `/`.
 */
export function safeNextPath(raw: string | undefined | null): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(raw)) return '/';
  const base = 'http://attune.invalid';
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return '/';
  }
  if (url.origin !== base || url.pathname === '/login' || url.pathname.startsWith('/api/')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

function sign(payload: string, key: Buffer): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

function encodeFlow(flow: FlowState, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify(flow)).toString('base64url');
  return `${payload}.${sign(payload, key)}`;
}

/** The flow cookie's content, or why it is refused. */
function decodeFlow(value: string | undefined, key: Buffer, nowS: number): FlowState | 'missing' | 'invalid' | 'expired' {
  if (!value) return 'missing';
  const [payload, mac] = value.split('.');
  if (!payload || !mac) return 'invalid';
  const expected = Buffer.from(sign(payload, key));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  let flow: FlowState;
  try {
    flow = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as FlowState;
  } catch {
    return 'invalid';
  }
  if (typeof flow.state !== 'string' || typeof flow.nonce !== 'string' || typeof flow.codeVerifier !== 'string') return 'invalid';
  if (typeof flow.expiresAt !== 'number' || flow.expiresAt < nowS) return 'expired';
  return flow;
}

export function oidcRoutes(deps: {
  singleSignOn: SingleSignOn | null;
  users: UserRepository;
  logger: Logger;
  sessionTtlHours: number;
  secureCookies: boolean;
}) {
  const app = new Hono<AppEnv>();
  const sso = deps.singleSignOn;

  /** What the sign-in page offers: `{ sso: { enabled } }`. */
  app.get('/options', (c) => c.json({ sso: { enabled: sso !== null } } satisfies AuthOptions));
  if (!sso) return app;

  const toLogin = (c: Context<AppEnv>, error: string) => {
    deleteCookie(c, FLOW_COOKIE, { path: FLOW_COOKIE_PATH });
    return c.redirect(`/login?error=${error}`, 303);
  };
  const failed = async (c: Context<AppEnv>, reason: string, fields: Record<string, unknown> = {}) => {
    deps.logger.warn('directory sign-in failed', { reason, ...fields });
    await sso.signIn.failed(reason);
    return toLogin(c, 'sso_failed');
  };

  /** Starts a directory sign-in: redirects the browser to the directory's authorization endpoint. */
  app.get('/oidc/start', async (c) => {
    let request;
    try {
      request = await sso.client.authorizationRequest();
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
      // A browser that clicked the button gets the sign-in page with a readable message; anything else the 503.
      const navigation = c.req.header('sec-fetch-mode') === 'navigate' || (c.req.header('accept') ?? '').includes('text/html');
      if (navigation) return c.redirect('/login?error=sso_unavailable', 303);
      return c.json(
        errorBody('directory_unavailable', 'The hospital sign-in service cannot be reached; try again shortly or sign in with a password'),
        503,
        { 'Retry-After': '5' },
      );
    }
    const flow: FlowState = {
      state: request.state,
      nonce: request.nonce,
      codeVerifier: request.codeVerifier,
      next: safeNextPath(c.req.query('next')),
      expiresAt: Math.floor(Date.now() / 1000) + FLOW_TTL_S,
    };
    setCookie(c, FLOW_COOKIE, encodeFlow(flow, sso.flowCookieKey), {
      httpOnly: true,
      sameSite: 'Lax',
      secure: deps.secureCookies,
      path: FLOW_COOKIE_PATH,
      maxAge: FLOW_TTL_S,
    });
    return c.redirect(request.url.href, 303);
  });

  /** The directory sends the browser back here; a session starts, or the sign-in page shows why not. */
  app.get('/oidc/callback', async (c) => {
    const flow = decodeFlow(getCookie(c, FLOW_COOKIE), sso.flowCookieKey, Math.floor(Date.now() / 1000));
    if (typeof flow === 'string') return failed(c, `flow_cookie_${flow}`);
    const directoryError = c.req.query('error');
    if (directoryError) return failed(c, 'directory_error', { error: directoryError.slice(0, 100) });

    const query = new URL(c.req.url).search;
    let identity;
    try {
      identity = await sso.client.redeem(query, flow);
    } catch (error) {
      // A wrong state, a missing or wrong PKCE verifier, a bad ID token: refused, and the reason logged.
      const message = error instanceof Error ? error.message : String(error);
      const code = (error as { code?: unknown }).code;
      return failed(c, error instanceof DirectoryUnavailableError ? 'directory_unavailable' : 'code_exchange_failed', {
        error: message,
        ...(typeof code === 'string' ? { code } : {}),
      });
    }

    const result = await sso.signIn.signIn(identity, new Date());
    if (!result.ok) return toLogin(c, `sso_${result.refused}`);

    // A session this browser already had (perhaps another user's) ends: one browser, one user.
    const previous = sessionTokenHash(c);
    if (previous) await deps.users.deleteSession(previous);
    await startSession(c, deps.users, result.user.id, deps.sessionTtlHours, deps.secureCookies);
    await sso.signIn.signedIn(result.user.id, result.created);
    deleteCookie(c, FLOW_COOKIE, { path: FLOW_COOKIE_PATH });
    return c.redirect(flow.next, 303);
  });

  return app;
}
