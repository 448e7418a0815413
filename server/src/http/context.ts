import type { UserRow } from '../repositories/user.repository.ts';

/** Variables the auth middleware puts on every authenticated request. */
export type AppEnv = { Variables: { user: UserRow; requestId: string } };
