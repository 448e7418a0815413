/** Users in API shape (docs/api.md `User`, `AdminUser`). */
import type { AdminUser, User } from '@attune/protocol/api';
import type { AdminUserRow, UserRow } from '../repositories/user.repository.ts';
import { isoOrNull } from './time.ts';

/** The signed-in user as login, /me and the password change answer it (never a hash or a flag beyond these). */
export function userToApi(u: UserRow): User {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    wardIds: u.wardIds,
    mustChangePassword: u.mustChangePassword,
  };
}

/** A user as administration lists it; `wardNames` names the wards, `lockedUntilMs` is the sign-in lockout (null: none). */
export function adminUserToApi(u: AdminUserRow, wardNames: ReadonlyMap<string, string>, lockedUntilMs: number | null): AdminUser {
  return {
    ...userToApi(u),
    wards: u.wardIds.map((id) => ({ id, name: wardNames.get(id) ?? null })),
    isActive: u.isActive,
    lastSignInAt: isoOrNull(u.lastSignInAt),
    createdAt: u.createdAt.toISOString(),
    signsInWith: { password: u.hasPassword, directory: u.hasDirectoryIdentity },
    lockedOutUntil: lockedUntilMs === null ? null : new Date(lockedUntilMs).toISOString(),
  };
}
