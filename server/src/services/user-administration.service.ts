/**
 * User administration (it_admin only; the route checks the role): list, create, change role and
 * wards, reset a password, deactivate and reactivate. Passwords an administrator sets are random
 * one-time passwords, returned once and never stored or logged in the clear; the user must choose
 * their own at the next sign-in. Every action is written to audit_log (without any password).
 */
import type { AdminUser, AdminUserList, UserWithOneTimePassword } from '@attune/protocol/api';
import { DomainError } from '../domain/errors.ts';
import { generateOneTimePassword, wardRuleProblem, type Role } from '../domain/users.ts';
import { adminUserToApi } from '../mappers/user.mapper.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import { UsernameTakenError, type AdminUserRow, type UserRepository } from '../repositories/user.repository.ts';
import type { WardRepository } from '../repositories/ward.repository.ts';
import { hashPassword } from '../security/passwords.ts';

/** The sign-in lockouts (the login throttle): read for the list, lifted by a password reset. */
export interface SignInLockouts {
  usernameLockedUntilMs(username: string, nowMs: number): number | null;
  clear(username: string): void;
}

export interface UserChanges {
  displayName?: string | undefined;
  role?: Role | undefined;
  wardIds?: string[] | undefined;
}

export class UserAdministrationService {
  constructor(private readonly deps: { users: UserRepository; wards: WardRepository; audit: AuditRepository; lockouts: SignInLockouts }) {}

  /** Every user with role, wards, last sign-in and lockout; and the wards to choose from (in use, not retired). */
  async list(): Promise<AdminUserList> {
    const names = await this.wardNames();
    const users = await this.deps.users.listForAdmin();
    return { users: users.map((u) => this.view(u, names)), wards: [...(await this.wardsInUse())].map(([id, name]) => ({ id, name })) };
  }

  /** The user, or null: the route answers the same 404 for an id that is not a user. */
  find(id: string): Promise<AdminUserRow | null> {
    return this.deps.users.findForAdmin(id);
  }

  /** Creates a user with a one-time password, returned once; they must change it at the first sign-in. */
  async create(
    input: { username: string; displayName: string; role: Role; wardIds: string[] },
    actorId: string,
  ): Promise<UserWithOneTimePassword> {
    const names = await this.wardNames();
    checkWardsExist(input.wardIds, await this.wardsInUse());
    checkWardRule(input.role, input.wardIds);
    const oneTimePassword = generateOneTimePassword();
    let id: string;
    try {
      id = await this.deps.users.create({ ...input, passwordHash: await hashPassword(oneTimePassword) });
    } catch (error) {
      if (error instanceof UsernameTakenError) {
        throw new DomainError('conflict', `The username ${input.username} is already taken`, { username: 'taken' });
      }
      throw error;
    }
    await this.audit(actorId, 'user.created', id, { username: input.username, role: input.role, wardIds: input.wardIds });
    const created = await this.deps.users.findForAdmin(id);
    return { user: this.view(created!, names), oneTimePassword };
  }

  /** Changes display name, role and wards (wardIds replaces the set); applies from the user's next request. */
  async update(user: AdminUserRow, body: UserChanges, actorId: string): Promise<AdminUser> {
    if (user.id === actorId && body.role !== undefined && body.role !== 'it_admin') {
      throw new DomainError('conflict', 'You cannot take the IT admin role from yourself: ask another IT admin');
    }
    const names = await this.wardNames();
    const role = body.role ?? user.role;
    const wardIds = body.wardIds ?? user.wardIds;
    if (body.role !== undefined || body.wardIds !== undefined) {
      // A ward the user already has may stay in the set after it is retired; a new one must be in use.
      checkWardsExist(
        (body.wardIds ?? []).filter((id) => !user.wardIds.includes(id)),
        await this.wardsInUse(),
      );
      checkWardRule(role, wardIds);
    }
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (body.displayName !== undefined && body.displayName !== user.displayName) {
      changes.displayName = { from: user.displayName, to: body.displayName };
    }
    if (body.role !== undefined && body.role !== user.role) changes.role = { from: user.role, to: body.role };
    const sameWards = wardIds.length === user.wardIds.length && wardIds.every((id) => user.wardIds.includes(id));
    if (body.wardIds !== undefined && !sameWards) changes.wardIds = { from: user.wardIds, to: wardIds };
    if (Object.keys(changes).length > 0) {
      await this.deps.users.update(user.id, {
        ...(changes.displayName ? { displayName: body.displayName } : {}),
        ...(changes.role ? { role } : {}),
        ...(changes.wardIds ? { wardIds } : {}),
      });
      await this.audit(actorId, 'user.updated', user.id, { changes });
    }
    return this.view((await this.deps.users.findForAdmin(user.id))!, names);
  }

  /**
   * A new one-time password, returned once: the user's sessions end, they must choose a new
   * password at the next sign-in, and a sign-in lockout on their username is lifted.
   */
  async resetPassword(user: AdminUserRow, actorId: string): Promise<UserWithOneTimePassword> {
    // The reset ends every session of the user: for oneself, before the new password could be read.
    if (user.id === actorId) {
      throw new DomainError('conflict', 'You cannot reset your own password here: change it with your current one');
    }
    // A directory user has no Attune password: giving them one would open a second way in that the
    // hospital's directory (where leavers are disabled) does not control.
    if (user.hasDirectoryIdentity && !user.hasPassword) {
      throw new DomainError('conflict', 'This user signs in with the hospital account: reset the password in the hospital directory');
    }
    const oneTimePassword = generateOneTimePassword();
    await this.deps.users.setPassword(user.id, await hashPassword(oneTimePassword), true);
    const endedSessions = await this.deps.users.deleteSessionsOf(user.id);
    const wasLockedOut = this.deps.lockouts.usernameLockedUntilMs(user.username, Date.now()) !== null;
    this.deps.lockouts.clear(user.username);
    await this.audit(actorId, 'user.password_reset', user.id, { endedSessions, wasLockedOut });
    return { user: await this.reread(user.id), oneTimePassword };
  }

  /** Deactivates the user: their sessions end at once and they cannot sign in (records are kept). */
  async deactivate(user: AdminUserRow, actorId: string): Promise<AdminUser> {
    if (user.id === actorId) throw new DomainError('conflict', 'You cannot deactivate yourself: ask another IT admin');
    await this.deps.users.setActive(user.id, false);
    const endedSessions = await this.deps.users.deleteSessionsOf(user.id);
    if (user.isActive || endedSessions > 0) await this.audit(actorId, 'user.deactivated', user.id, { endedSessions });
    return this.reread(user.id);
  }

  /** Lets a deactivated user sign in again (with the password they had, or after a reset). */
  async reactivate(user: AdminUserRow, actorId: string): Promise<AdminUser> {
    if (!user.isActive) {
      await this.deps.users.setActive(user.id, true);
      await this.audit(actorId, 'user.reactivated', user.id);
    }
    return this.reread(user.id);
  }

  private async reread(id: string): Promise<AdminUser> {
    return this.view((await this.deps.users.findForAdmin(id))!, await this.wardNames());
  }

  /** Every ward's name, retired ones too: a user's wards are named even after one is retired. */
  private async wardNames(): Promise<Map<string, string>> {
    return new Map((await this.deps.wards.names()).map((w) => [w.id, w.name]));
  }

  /** The wards a user may be given: those in use. */
  private async wardsInUse(): Promise<Map<string, string>> {
    return new Map((await this.deps.wards.list()).map((w) => [w.id, w.name]));
  }

  private view(u: AdminUserRow, names: Map<string, string>): AdminUser {
    return adminUserToApi(u, names, this.deps.lockouts.usernameLockedUntilMs(u.username, Date.now()));
  }

  private audit(actorId: string, action: string, userId: string, detail?: Record<string, unknown>): Promise<void> {
    return this.deps.audit.write({
      actorUserId: actorId,
      action,
      subjectType: 'app_user',
      subjectId: userId,
      ...(detail ? { detail } : {}),
    });
  }
}

/** Refuses wards that do not exist or are retired (only those a request newly names). */
function checkWardsExist(wardIds: string[], names: Map<string, string>): void {
  const unknown = wardIds.filter((id) => !names.has(id));
  if (unknown.length > 0) {
    throw new DomainError('validation_failed', 'No such ward', { wardIds: `unknown ward ${unknown.join(', ')}` });
  }
}

/** Refuses a role whose ward set is wrong (400, naming the field). */
function checkWardRule(role: Role, wardIds: string[]): void {
  const problem = wardRuleProblem(role, wardIds);
  if (problem) throw new DomainError('validation_failed', problem, { wardIds: problem });
}
