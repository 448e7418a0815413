/** Signing in and user administration (docs/api.md "Auth", "Users"). */
import { z } from 'zod';
import { answerOf, IsoTime, named, RoleSchema } from './common.ts';

export const UserSchema = named(
  'User',
  'The signed-in user. wardIds is empty for it_admin; mustChangePassword: an administrator set the password, so the session opens nothing but the password change.',
  z.object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: RoleSchema,
    wardIds: z.array(z.string()),
    mustChangePassword: z.boolean(),
  }),
);
export type User = z.infer<typeof UserSchema>;

export const UserAnswerSchema = answerOf(
  'UserAnswer',
  'POST /api/auth/login, GET /api/auth/me, POST /api/auth/password.',
  'user',
  UserSchema,
);
export type UserAnswer = z.infer<typeof UserAnswerSchema>;

export const AuthOptionsSchema = named(
  'AuthOptions',
  'GET /api/auth/options: whether the sign-in page offers single sign-on.',
  z.object({ sso: z.object({ enabled: z.boolean() }) }),
);
export type AuthOptions = z.infer<typeof AuthOptionsSchema>;

export const LoginBodySchema = named(
  'LoginBody',
  'POST /api/auth/login.',
  z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) }),
);

/** A password a user chooses: at least 12 characters (NIST SP 800-63B allows long passphrases; 200 bounds the hashing cost). */
export const NEW_PASSWORD_MIN_LENGTH = 12;
export const NewPasswordSchema = z.string().min(NEW_PASSWORD_MIN_LENGTH, `At least ${NEW_PASSWORD_MIN_LENGTH} characters`).max(200);

export const PasswordChangeBodySchema = named(
  'PasswordChangeBody',
  'POST /api/auth/password.',
  z.object({ currentPassword: z.string().min(1).max(200), newPassword: NewPasswordSchema }),
);

export const AdminUserSchema = named(
  'AdminUser',
  'A user as administration lists it. lockedOutUntil: sign-in locked after repeated wrong passwords until then, null when not locked.',
  UserSchema.extend({
    wards: z.array(z.object({ id: z.string(), name: z.string().nullable() })),
    isActive: z.boolean(),
    lastSignInAt: IsoTime.nullable(),
    createdAt: IsoTime,
    signsInWith: z.object({ password: z.boolean(), directory: z.boolean() }),
    lockedOutUntil: IsoTime.nullable(),
  }),
);
export type AdminUser = z.infer<typeof AdminUserSchema>;

export const AdminUserListSchema = named(
  'AdminUserList',
  'GET /api/users: every user, and the wards to choose from.',
  z.object({ users: z.array(AdminUserSchema), wards: z.array(z.object({ id: z.string(), name: z.string() })) }),
);
export type AdminUserList = z.infer<typeof AdminUserListSchema>;

export const AdminUserAnswerSchema = answerOf(
  'AdminUserAnswer',
  'A user after changing, deactivating or reactivating them.',
  'user',
  AdminUserSchema,
);
export type AdminUserAnswer = z.infer<typeof AdminUserAnswerSchema>;

export const UserWithOneTimePasswordSchema = named(
  'UserWithOneTimePassword',
  'POST /api/users (201) and POST /api/users/{id}/reset-password: the one-time password is shown once.',
  AdminUserAnswerSchema.extend({ oneTimePassword: z.string() }),
);
export type UserWithOneTimePassword = z.infer<typeof UserWithOneTimePasswordSchema>;

/** POST /api/users as the dashboard sends it (the server also normalises the username and checks wards). */
export type NewUser = { username: string; displayName: string; role: z.infer<typeof RoleSchema>; wardIds: string[] };
/** PATCH /api/users/{id}: only the fields that change. */
export type UserChange = Partial<Omit<NewUser, 'username'>>;
