/**
 * Signing in with username and password, and choosing a new password. Failed attempts count
 * against the sign-in throttle; every outcome is written to the audit log here. Cookies, sessions
 * and the Retry-After of a locked sign-in are the HTTP edge's.
 */
import { DomainError } from '../domain/errors.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import type { UserRepository, UserWithHash } from '../repositories/user.repository.ts';
import { hashPassword, verifyPassword } from '../security/passwords.ts';

// A fixed hash to compare against for unknown users, so both failures take the same time.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** The sign-in throttle as this service uses it: failures count per username and address. */
export interface SignInAttempts {
  failed(username: string, address: string, nowMs: number): void;
  succeeded(username: string): void;
}

export class PasswordSignInService {
  constructor(private readonly deps: { users: UserRepository; audit: AuditRepository; attempts: SignInAttempts }) {}

  /** The user whose password this is, or null (unknown, directory-only, inactive or wrong: all alike, audited). */
  async verify(username: string, password: string, address: string): Promise<UserWithHash | null> {
    const user = await this.deps.users.findByUsername(username.trim());
    // A directory-only user (no password hash) gets the same answer as a wrong password.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !user.passwordHash || !user.isActive || !ok) {
      this.deps.attempts.failed(username, address, Date.now());
      await this.deps.audit.write({ actorUserId: null, action: 'auth.login_failed', subjectType: 'app_user', subjectId: null, detail: {} });
      return null;
    }
    this.deps.attempts.succeeded(username);
    return user;
  }

  /** After the session started: the sign-in is recorded on the user and audited. */
  async signedIn(userId: string, at: Date): Promise<void> {
    await this.deps.users.recordSignIn(userId, at);
    await this.deps.audit.write({ actorUserId: userId, action: 'auth.login', subjectType: 'app_user', subjectId: userId });
  }

  /**
   * The user replaces their password; their other sessions end (`keepSessionHash` stays open). A
   * wrong current password counts as a failed sign-in. Returns the user as it now is.
   */
  async changePassword(
    userId: string,
    input: { currentPassword: string; newPassword: string },
    address: string,
    keepSessionHash: string | undefined,
  ): Promise<UserWithHash> {
    const user = await this.deps.users.findById(userId);
    if (!user?.passwordHash) {
      throw new DomainError('conflict', 'You sign in through the hospital directory: change your password there');
    }
    if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
      this.deps.attempts.failed(user.username, address, Date.now());
      await this.audit(user.id, 'auth.password_change_failed', {});
      throw new DomainError('validation_failed', 'The current password is not right', { currentPassword: 'not right' });
    }
    if (input.newPassword.trim().toLowerCase() === user.username.toLowerCase()) {
      throw new DomainError('validation_failed', 'The new password may not be your username', { newPassword: 'is your username' });
    }
    if (input.newPassword === input.currentPassword) {
      throw new DomainError('validation_failed', 'Choose a password different from the current one', {
        newPassword: 'same as the current password',
      });
    }
    await this.deps.users.setPassword(user.id, await hashPassword(input.newPassword), false);
    const endedSessions = await this.deps.users.deleteSessionsOf(user.id, keepSessionHash);
    this.deps.attempts.succeeded(user.username);
    await this.audit(user.id, 'auth.password_changed', { endedSessions, wasRequired: user.mustChangePassword });
    return { ...user, mustChangePassword: false };
  }

  private audit(userId: string, action: string, detail: Record<string, unknown>): Promise<void> {
    return this.deps.audit.write({ actorUserId: userId, action, subjectType: 'app_user', subjectId: userId, detail });
  }
}
