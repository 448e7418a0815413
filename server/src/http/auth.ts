/**
 * Sessions: a random token in an httpOnly, SameSite=Strict cookie; the database keeps only its
 * sha256. `requireUser` is the first check of every protected staff route, `requireRole` the
 * second. A bedside tablet holds a different cookie (`attune_tablet`) that opens only
 * `/api/tablet/*`: on any staff route it is answered 403, not 401, so the tablet cannot be
 * mistaken for a signed-out browser and the refusal is explicit.
 *
 * A user whose password an administrator set (new user, reset) must choose their own before
 * anything else: until then their session opens only `GET /api/auth/me`, `POST /api/auth/password`
 * and `POST /api/auth/logout`, and every other staff route answers 403 `password_change_required`.
 * The session is read from the database on every request, so a deactivation, a new role or new
 * wards apply to the user's very next request.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Role } from '../domain/users.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import { randomSecret } from '../security/passwords.ts';
import type { AppEnv } from './context.ts';
import { ApiError } from './errors.ts';

export const SESSION_COOKIE = 'attune_session';
export const TABLET_COOKIE = 'attune_tablet';

/** How the auth middleware recognises a tablet session (TabletService.session). */
export interface TabletSessions {
  session(token: string): Promise<{ stayId: string; tokenHash: string } | null>;
}
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function requireUser(
  users: UserRepository,
  tablets?: TabletSessions,
  options: { allowPendingPasswordChange?: boolean } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const user = token ? await users.findSessionUser(hashToken(token), new Date()) : null;
    if (!user) {
      const tabletToken = tablets ? getCookie(c, TABLET_COOKIE) : undefined;
      if (tabletToken && (await tablets!.session(tabletToken))) {
        throw new ApiError(403, 'forbidden', 'The bedside tablet may not open this');
      }
      throw new ApiError(401, 'unauthenticated', 'Sign in first');
    }
    if (user.mustChangePassword && !options.allowPendingPasswordChange) {
      throw new ApiError(403, 'password_change_required', 'Choose a new password first (POST /api/auth/password)');
    }
    c.set('user', user);
    await next();
  };
}

/** The hash of this request's staff session token, or null without one. */
export function sessionTokenHash(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string | null {
  const token = getCookie(c, SESSION_COOKIE);
  return token ? hashToken(token) : null;
}

export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!roles.includes(c.get('user').role)) throw new ApiError(403, 'forbidden', 'Your role may not do this');
    await next();
  };
}

export async function startSession(
  c: Parameters<MiddlewareHandler<AppEnv>>[0],
  users: UserRepository,
  userId: string,
  ttlHours: number,
  secure: boolean,
) {
  const token = randomSecret(32);
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await users.createSession(hashToken(token), userId, expiresAt);
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure, expires: expiresAt });
}

export async function endSession(c: Parameters<MiddlewareHandler<AppEnv>>[0], users: UserRepository) {
  const token = getCookie(c, SESSION_COOKIE);
  if (token) await users.deleteSession(hashToken(token));
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/** The tablet routes' first check: a live tablet session (its stay not discharged). */
export function requireTablet(tablets: TabletSessions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = getCookie(c, TABLET_COOKIE);
    const session = token ? await tablets.session(token) : null;
    if (!session) throw new ApiError(401, 'unauthenticated', 'This tablet is not paired');
    c.set('tablet', session);
    await next();
  };
}
