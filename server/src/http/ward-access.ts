/**
 * Need-to-know by ward. Nurses and charge nurses see and act on the wards they are assigned to
 * (user_ward), nothing else; anything on another ward is answered 404, exactly as if it did not
 * exist, so an id is never confirmed. it_admin never sees patients (routes refuse the role before
 * they get here) and its technical views are hospital-wide.
 */
import type { UserRow } from '../repositories/user.repository.ts';
import { ApiError } from './errors.ts';

export function worksOnWard(user: UserRow, wardId: string | null | undefined): boolean {
  return user.role !== 'it_admin' && wardId != null && user.wardIds.includes(wardId);
}

/** Throws the same 404 a missing record gets unless the user works on `wardId`. */
export function assertWard(user: UserRow, wardId: string | null | undefined, notFoundMessage: string): void {
  if (!worksOnWard(user, wardId)) throw new ApiError(404, 'not_found', notFoundMessage);
}
