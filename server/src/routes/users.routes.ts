/**
 * User administration (it_admin only): list, create, change role and wards, reset a password,
 * deactivate and reactivate. Passwords an administrator sets are random one-time passwords,
 * answered once and never stored or logged in the clear; the user must choose their own at the next
 * sign-in. Every action is written to audit_log (without any password).
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import { ROLES, USERNAME_PATTERN, generateOneTimePassword, normaliseUsername, wardRuleProblem, type Role } from '../domain/users.ts';
import { UsernameTakenError, type AdminUserRow, type UserRepository } from '../repositories/user.repository.ts';
import type { WardRepository } from '../repositories/ward.repository.ts';
import { hashPassword } from '../security/passwords.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import type { LoginThrottle } from '../http/login-throttle.ts';
import { parseJsonBody, parseParam } from '../http/validation.ts';

const Username = z
  .string()
  .transform(normaliseUsername)
  .pipe(z.string().regex(USERNAME_PATTERN, "2 to 63 characters: a-z, 0-9, '.', '_' or '-', starting with a letter or digit"));
const DisplayName = z.string().trim().min(1).max(100);
const WardIds = z
  .array(z.uuid())
  .max(200)
  .transform((ids) => [...new Set(ids)]);

const CreateUserSchema = z.object({ username: Username, displayName: DisplayName, role: z.enum(ROLES), wardIds: WardIds });
const UpdateUserSchema = z
  .object({ displayName: DisplayName.optional(), role: z.enum(ROLES).optional(), wardIds: WardIds.optional() })
  .strict();

export function usersRoutes(deps: { users: UserRepository; wards: WardRepository; audit: AuditRepository; throttle: LoginThrottle }) {
  const app = new Hono<AppEnv>();
  app.use(requireRole('it_admin'));

  const wardNames = async () => new Map((await deps.wards.list()).map((w) => [w.id, w.name]));

  const view = (u: AdminUserRow, names: Map<string, string>) => {
    const lockedUntilMs = deps.throttle.usernameLockedUntilMs(u.username, Date.now());
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      role: u.role,
      wardIds: u.wardIds,
      wards: u.wardIds.map((id) => ({ id, name: names.get(id) ?? null })),
      isActive: u.isActive,
      mustChangePassword: u.mustChangePassword,
      lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
      createdAt: u.createdAt.toISOString(),
      signsInWith: { password: u.hasPassword, directory: u.hasDirectoryIdentity },
      lockedOutUntil: lockedUntilMs === null ? null : new Date(lockedUntilMs).toISOString(),
    };
  };

  const loadUser = async (c: Context<AppEnv>) => {
    const id = parseParam(z.uuid(), c.req.param('id'), 'user');
    const user = await deps.users.findForAdmin(id);
    if (!user) throw new ApiError(404, 'not_found', 'No such user');
    return user;
  };

  /** Refuses wards that do not exist (only those a request names: a ward deleted since stays out of it). */
  const checkWardsExist = (wardIds: string[], names: Map<string, string>) => {
    const unknown = wardIds.filter((id) => !names.has(id));
    if (unknown.length > 0) {
      throw new ApiError(400, 'validation_failed', 'No such ward', { wardIds: `unknown ward ${unknown.join(', ')}` });
    }
  };
  /** Refuses a role whose ward set is wrong (400, naming the field). */
  const checkWardRule = (role: Role, wardIds: string[]) => {
    const problem = wardRuleProblem(role, wardIds);
    if (problem) throw new ApiError(400, 'validation_failed', problem, { wardIds: problem });
  };

  /** Every user with role, wards, last sign-in and lockout; and the wards to choose from. */
  app.get('/', async (c) => {
    const names = await wardNames();
    const users = await deps.users.listForAdmin();
    return c.json({
      users: users.map((u) => view(u, names)),
      wards: [...names].map(([id, name]) => ({ id, name })),
    });
  });

  /** Creates a user with a one-time password, answered once; they must change it at the first sign-in. */
  app.post('/', async (c) => {
    const body = await parseJsonBody(c, CreateUserSchema);
    const names = await wardNames();
    checkWardsExist(body.wardIds, names);
    checkWardRule(body.role, body.wardIds);
    const oneTimePassword = generateOneTimePassword();
    let id: string;
    try {
      id = await deps.users.create({ ...body, passwordHash: await hashPassword(oneTimePassword) });
    } catch (error) {
      if (error instanceof UsernameTakenError) {
        throw new ApiError(409, 'conflict', `The username ${body.username} is already taken`, { username: 'taken' });
      }
      throw error;
    }
    await deps.audit.write({
      actorUserId: c.get('user').id,
      action: 'user.created',
      subjectType: 'app_user',
      subjectId: id,
      detail: { username: body.username, role: body.role, wardIds: body.wardIds },
    });
    const created = await deps.users.findForAdmin(id);
    return c.json({ user: view(created!, names), oneTimePassword }, 201);
  });

  /** Changes display name, role and wards (wardIds replaces the set); applies from the user's next request. */
  app.patch('/:id', async (c) => {
    const user = await loadUser(c);
    const body = await parseJsonBody(c, UpdateUserSchema);
    const actor = c.get('user');
    if (user.id === actor.id && body.role !== undefined && body.role !== 'it_admin') {
      throw new ApiError(409, 'conflict', 'You cannot take the IT admin role from yourself: ask another IT admin');
    }
    const names = await wardNames();
    const role = body.role ?? user.role;
    const wardIds = body.wardIds ?? user.wardIds;
    if (body.role !== undefined || body.wardIds !== undefined) {
      checkWardsExist(body.wardIds ?? [], names);
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
      await deps.users.update(user.id, {
        ...(changes.displayName ? { displayName: body.displayName } : {}),
        ...(changes.role ? { role } : {}),
        ...(changes.wardIds ? { wardIds } : {}),
      });
      await deps.audit.write({
        actorUserId: actor.id,
        action: 'user.updated',
        subjectType: 'app_user',
        subjectId: user.id,
        detail: { changes },
      });
    }
    return c.json({ user: view((await deps.users.findForAdmin(user.id))!, names) });
  });

  /**
   * A new one-time password, answered once: the user's sessions end, they must choose a new
   * password at the next sign-in, and a sign-in lockout on their username is lifted.
   */
  app.post('/:id/reset-password', async (c) => {
    const user = await loadUser(c);
    // The reset ends every session of the user: for oneself, before the new password could be read.
    if (user.id === c.get('user').id) {
      throw new ApiError(409, 'conflict', 'You cannot reset your own password here: change it with your current one');
    }
    // A directory user has no Attune password: giving them one would open a second way in that the
    // hospital's directory (where leavers are disabled) does not control.
    if (user.hasDirectoryIdentity && !user.hasPassword) {
      throw new ApiError(409, 'conflict', 'This user signs in with the hospital account: reset the password in the hospital directory');
    }
    const oneTimePassword = generateOneTimePassword();
    await deps.users.setPassword(user.id, await hashPassword(oneTimePassword), true);
    const endedSessions = await deps.users.deleteSessionsOf(user.id);
    const wasLockedOut = deps.throttle.usernameLockedUntilMs(user.username, Date.now()) !== null;
    deps.throttle.clear(user.username);
    await deps.audit.write({
      actorUserId: c.get('user').id,
      action: 'user.password_reset',
      subjectType: 'app_user',
      subjectId: user.id,
      detail: { endedSessions, wasLockedOut },
    });
    return c.json({ user: view((await deps.users.findForAdmin(user.id))!, await wardNames()), oneTimePassword });
  });

  /** Deactivates the user: their sessions end at once and they cannot sign in (records are kept). */
  app.post('/:id/deactivate', async (c) => {
    const user = await loadUser(c);
    const actor = c.get('user');
    if (user.id === actor.id) throw new ApiError(409, 'conflict', 'You cannot deactivate yourself: ask another IT admin');
    await deps.users.setActive(user.id, false);
    const endedSessions = await deps.users.deleteSessionsOf(user.id);
    if (user.isActive || endedSessions > 0) {
      await deps.audit.write({
        actorUserId: actor.id,
        action: 'user.deactivated',
        subjectType: 'app_user',
        subjectId: user.id,
        detail: { endedSessions },
      });
    }
    return c.json({ user: view((await deps.users.findForAdmin(user.id))!, await wardNames()) });
  });

  /** Lets a deactivated user sign in again (with the password they had, or after a reset). */
  app.post('/:id/reactivate', async (c) => {
    const user = await loadUser(c);
    if (!user.isActive) {
      await deps.users.setActive(user.id, true);
      await deps.audit.write({ actorUserId: c.get('user').id, action: 'user.reactivated', subjectType: 'app_user', subjectId: user.id });
    }
    return c.json({ user: view((await deps.users.findForAdmin(user.id))!, await wardNames()) });
  });

  return app;
}
