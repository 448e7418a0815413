/**
 * User administration (it_admin only): list, create, change role and wards, reset a password,
 * deactivate and reactivate. The work and its audit rows are UserAdministrationService's; this
 * edge parses, checks the role and answers.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AdminUserAnswer, AdminUserList, UserWithOneTimePassword } from '@attune/protocol/api';
import { ROLES, USERNAME_PATTERN, normaliseUsername } from '../domain/users.ts';
import type { UserAdministrationService } from '../services/user-administration.service.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
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

export function usersRoutes(deps: { administration: UserAdministrationService }) {
  const app = new Hono<AppEnv>();
  const admin = deps.administration;
  app.use(requireRole('it_admin'));

  const loadUser = async (c: Context<AppEnv>) => {
    const id = parseParam(z.uuid(), c.req.param('id'), 'user');
    const user = await admin.find(id);
    if (!user) throw new ApiError(404, 'not_found', 'No such user');
    return user;
  };

  /** Every user with role, wards, last sign-in and lockout; and the wards to choose from. */
  app.get('/', async (c) => c.json((await admin.list()) satisfies AdminUserList));

  /** Creates a user with a one-time password, answered once; they must change it at the first sign-in. */
  app.post('/', async (c) => {
    const body = await parseJsonBody(c, CreateUserSchema);
    return c.json((await admin.create(body, c.get('user').id)) satisfies UserWithOneTimePassword, 201);
  });

  /** Changes display name, role and wards (wardIds replaces the set); applies from the user's next request. */
  app.patch('/:id', async (c) => {
    const user = await loadUser(c);
    const body = await parseJsonBody(c, UpdateUserSchema);
    return c.json({ user: await admin.update(user, body, c.get('user').id) } satisfies AdminUserAnswer);
  });

  /** A new one-time password, answered once; the user's sessions end and a sign-in lockout is lifted. */
  app.post('/:id/reset-password', async (c) => {
    const user = await loadUser(c);
    return c.json((await admin.resetPassword(user, c.get('user').id)) satisfies UserWithOneTimePassword);
  });

  /** Deactivates the user: their sessions end at once and they cannot sign in (records are kept). */
  app.post('/:id/deactivate', async (c) => {
    const user = await loadUser(c);
    return c.json({ user: await admin.deactivate(user, c.get('user').id) } satisfies AdminUserAnswer);
  });

  /** Lets a deactivated user sign in again (with the password they had, or after a reset). */
  app.post('/:id/reactivate', async (c) => {
    const user = await loadUser(c);
    return c.json({ user: await admin.reactivate(user, c.get('user').id) } satisfies AdminUserAnswer);
  });

  return app;
}
