import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import { verifyPassword } from '../security/passwords.ts';
import { endSession, requireUser, startSession, type TabletSessions } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { LoginThrottle } from '../http/login-throttle.ts';
import { parseJsonBody } from '../http/validation.ts';

const LoginSchema = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });
// A fixed hash to compare against for unknown users, so both failures take the same time.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export function authRoutes(deps: {
  users: UserRepository;
  audit: AuditRepository;
  tablets?: TabletSessions;
  sessionTtlHours: number;
  secureCookies: boolean;
  throttle?: LoginThrottle;
}) {
  const app = new Hono<AppEnv>();
  const throttle = deps.throttle ?? new LoginThrottle();

  /** Sign in with username and password; sets the session cookie. */
  app.post('/login', async (c) => {
    const body = await parseJsonBody(c, LoginSchema);
    const address = getConnInfo(c).remote.address ?? 'unknown';
    const waitMs = throttle.retryAfterMs(body.username, address, Date.now());
    if (waitMs > 0) {
      const retryAfterS = Math.ceil(waitMs / 1000);
      c.header('Retry-After', String(retryAfterS));
      throw new ApiError(429, 'too_many_attempts', `Too many failed sign-ins: try again in ${retryAfterS} s`);
    }
    const user = await deps.users.findByUsername(body.username);
    const ok = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !user.isActive || !ok) {
      throttle.failed(body.username, address, Date.now());
      await deps.audit.write({ actorUserId: null, action: 'auth.login_failed', subjectType: 'app_user', subjectId: null, detail: {} });
      throw new ApiError(401, 'invalid_credentials', 'Wrong username or password');
    }
    throttle.succeeded(body.username);
    await startSession(c, deps.users, user.id, deps.sessionTtlHours, deps.secureCookies);
    await deps.audit.write({ actorUserId: user.id, action: 'auth.login', subjectType: 'app_user', subjectId: user.id });
    return c.json({ user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role } });
  });

  /** Sign out: deletes the session and clears the cookie. */
  app.post('/logout', async (c) => {
    await endSession(c, deps.users);
    return c.body(null, 204);
  });

  /** The signed-in user. */
  app.get('/me', requireUser(deps.users, deps.tablets), (c) => c.json({ user: c.get('user') }));

  return app;
}
