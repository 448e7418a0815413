import type { UserRow } from '../repositories/user.repository.ts';

/** Variables the auth middlewares put on a request: the staff user, or the tablet session. */
export type AppEnv = { Variables: { user: UserRow; tablet: { stayId: string; tokenHash: string }; requestId: string } };
