import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import type { UserRepository, UserRow } from '../repositories/user.repository.ts';
import { hashPassword, verifyPassword } from '../security/passwords.ts';
import { endSession, requireUser, sessionTokenHash, startSession, type TabletSessions } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { LoginThrottle } from '../http/login-throttle.ts';
import { clientAddress } from '../http/rate-limit.ts';
import { parseJsonBody } from '../http/validation.ts';

const LoginSchema = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });

/** A password a user chooses: at least 12 characters (NIST SP 800-63B allows long passphrases; 200 bounds the hashing cost). */
export const NEW_PASSWORD_MIN_LENGTH = 12;
export const NewPasswordSchema = z.string().min(NEW_PASSWORD_MIN_LENGTH, `At least ${NEW_PASSWORD_MIN_LENGTH} characters`).max(200);
const PasswordChangeSchema = z.object({ currentPassword: z.string().min(1).max(200), newPassword: NewPasswordSchema });

// A fixed hash to compare against for unknown users, so both failures take the same time.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** The signed-in user as login and /me answer it. */
const publicUser = (u: UserRow): UserRow => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  wardIds: u.wardIds,
  mustChangePassword: u.mustChangePassword,
});

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

  const refuseWhileLocked = (c: Context<AppEnv>, username: string, address: string) => {
    const waitMs = throttle.retryAfterMs(username, address, Date.now());
    if (waitMs > 0) {
      const retryAfterS = Math.ceil(waitMs / 1000);
      c.header('Retry-After', String(retryAfterS));
      throw new ApiError(429, 'too_many_attempts', `Too many failed sign-ins: try again in ${retryAfterS} s`);
    }
  };

  /** Sign in with username and password; sets the session cookie. */
  app.post('/login', async (c) => {
    const body = await parseJsonBody(c, LoginSchema);
    const address = clientAddress(c);
    refuseWhileLocked(c, body.username, address);
    const user = await deps.users.findByUsername(body.username.trim());
    // A directory-only user (no password hash) gets the same answer as a wrong password.
    const ok = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !user.passwordHash || !user.isActive || !ok) {
      throttle.failed(body.username, address, Date.now());
      await deps.audit.write({ actorUserId: null, action: 'auth.login_failed', subjectType: 'app_user', subjectId: null, detail: {} });
      throw new ApiError(401, 'invalid_credentials', 'Wrong username or password');
    }
    throttle.succeeded(body.username);
    await startSession(c, deps.users, user.id, deps.sessionTtlHours, deps.secureCookies);
    await deps.users.recordSignIn(user.id, new Date());
    await deps.audit.write({ actorUserId: user.id, action: 'auth.login', subjectType: 'app_user', subjectId: user.id });
    return c.json({ user: publicUser(user) });
  });

  /** Sign out: deletes the session and clears the cookie. */
  app.post('/logout', async (c) => {
    await endSession(c, deps.users);
    return c.body(null, 204);
  });

  /** The signed-in user (also while a password change is pending: the dashboard asks for it). */
  app.get('/me', requireUser(deps.users, deps.tablets, { allowPendingPasswordChange: true }), (c) =>
    c.json({ user: publicUser(c.get('user')) }),
  );

  /**
   * The user chooses a new password (required after an administrator set one). Ends the user's
   * other sessions; this one stays open. A wrong current password counts as a failed sign-in.
   */
  app.post('/password', requireUser(deps.users, deps.tablets, { allowPendingPasswordChange: true }), async (c) => {
    const sessionUser = c.get('user');
    const body = await parseJsonBody(c, PasswordChangeSchema);
    const address = clientAddress(c);
    refuseWhileLocked(c, sessionUser.username, address);
    const user = await deps.users.findById(sessionUser.id);
    if (!user?.passwordHash) {
      throw new ApiError(409, 'conflict', 'You sign in through the hospital directory: change your password there');
    }
    if (!(await verifyPassword(body.currentPassword, user.passwordHash))) {
      throttle.failed(sessionUser.username, address, Date.now());
      await deps.audit.write({
        actorUserId: user.id,
        action: 'auth.password_change_failed',
        subjectType: 'app_user',
        subjectId: user.id,
        detail: {},
      });
      throw new ApiError(400, 'validation_failed', 'The current password is not right', { currentPassword: 'not right' });
    }
    if (body.newPassword.trim().toLowerCase() === user.username.toLowerCase()) {
      throw new ApiError(400, 'validation_failed', 'The new password may not be your username', { newPassword: 'is your username' });
    }
    if (body.newPassword === body.currentPassword) {
      throw new ApiError(400, 'validation_failed', 'Choose a password different from the current one', {
        newPassword: 'same as the current password',
      });
    }
    await deps.users.setPassword(user.id, await hashPassword(body.newPassword), false);
    const endedSessions = await deps.users.deleteSessionsOf(user.id, sessionTokenHash(c) ?? undefined);
    throttle.succeeded(user.username);
    await deps.audit.write({
      actorUserId: user.id,
      action: 'auth.password_changed',
      subjectType: 'app_user',
      subjectId: user.id,
      detail: { endedSessions, wasRequired: user.mustChangePassword },
    });
    return c.json({ user: publicUser({ ...user, mustChangePassword: false }) });
  });

  return app;
}
