import { Hono, type Context } from 'hono';
import { LoginBodySchema, PasswordChangeBodySchema, type UserAnswer } from '@attune/protocol/api';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import { userToApi } from '../mappers/user.mapper.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import { PasswordSignInService } from '../services/password-sign-in.service.ts';
import { endSession, requireUser, sessionTokenHash, startSession, type TabletSessions } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { LoginThrottle } from '../http/login-throttle.ts';
import { clientAddress, setRetryAfter } from '../http/rate-limit.ts';
import { parseJsonBody } from '../http/validation.ts';

export function authRoutes(deps: {
  users: UserRepository;
  audit: AuditRepository;
  tablets?: TabletSessions;
  sessionTtlHours: number;
  secureCookies: boolean;
  /** One throttle per server, shared with user administration (which clears a user's lock on reset). */
  throttle?: LoginThrottle;
}) {
  const app = new Hono<AppEnv>();
  const throttle = deps.throttle ?? new LoginThrottle();
  const signIn = new PasswordSignInService({ users: deps.users, audit: deps.audit, attempts: throttle });

  const refuseWhileLocked = (c: Context<AppEnv>, username: string, address: string) => {
    const waitMs = throttle.retryAfterMs(username, address, Date.now());
    if (waitMs > 0) {
      const retryAfterS = setRetryAfter(c, waitMs);
      throw new ApiError(429, 'too_many_attempts', `Too many failed sign-ins: try again in ${retryAfterS} s`);
    }
  };

  /** Sign in with username and password; sets the session cookie. */
  app.post('/login', async (c) => {
    const body = await parseJsonBody(c, LoginBodySchema);
    const address = clientAddress(c);
    refuseWhileLocked(c, body.username, address);
    const user = await signIn.verify(body.username, body.password, address);
    if (!user) throw new ApiError(401, 'invalid_credentials', 'Wrong username or password');
    await startSession(c, deps.users, user.id, deps.sessionTtlHours, deps.secureCookies);
    await signIn.signedIn(user.id, new Date());
    return c.json({ user: userToApi(user) } satisfies UserAnswer);
  });

  /** Sign out: deletes the session and clears the cookie. */
  app.post('/logout', async (c) => {
    await endSession(c, deps.users);
    return c.body(null, 204);
  });

  /** The signed-in user (also while a password change is pending: the dashboard asks for it). */
  app.get('/me', requireUser(deps.users, deps.tablets, { allowPendingPasswordChange: true }), (c) =>
    c.json({ user: userToApi(c.get('user')) }),
  );

  /**
   * The user chooses a new password (required after an administrator set one). Ends the user's
   * other sessions; this one stays open. A wrong current password counts as a failed sign-in.
   */
  app.post('/password', requireUser(deps.users, deps.tablets, { allowPendingPasswordChange: true }), async (c) => {
    const sessionUser = c.get('user');
    const body = await parseJsonBody(c, PasswordChangeBodySchema);
    const address = clientAddress(c);
    refuseWhileLocked(c, sessionUser.username, address);
    const user = await signIn.changePassword(sessionUser.id, body, address, sessionTokenHash(c) ?? undefined);
    return c.json({ user: userToApi(user) } satisfies UserAnswer);
  });

  return app;
}
