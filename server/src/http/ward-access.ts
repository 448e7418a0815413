/**
 * Need-to-know by ward. Nurses and charge nurses see and act on the wards they are assigned to
 * (user_ward), nothing else; anything on another ward is answered 404, exactly as if it did not
 * exist, so an id is never confirmed. it_admin never sees patients (routes refuse the role before
 * they get here) and its technical views are hospital-wide.
 */
import type { UserRow } from '../repositories/user.repository.ts';
import { technicalAlertView } from '../mappers/alert.mapper.ts';
import type { LiveEvent } from '../platform/live-events.ts';
import { ApiError } from './errors.ts';

export function worksOnWard(user: UserRow, wardId: string | null | undefined): boolean {
  return user.role !== 'it_admin' && wardId != null && user.wardIds.includes(wardId);
}

/** Throws the same 404 a missing record gets unless the user works on `wardId`. */
export function assertWard(user: UserRow, wardId: string | null | undefined, notFoundMessage: string): void {
  if (!worksOnWard(user, wardId)) throw new ApiError(404, 'not_found', notFoundMessage);
}

/**
 * The live stream's filter, applied on the server for each connection: nurses and charge nurses
 * get their wards' events (escalations: charge nurses only); it_admin gets device and monitoring states of every ward and technical
 * alerts without patient details. Returns the event as this user may see it, or null.
 */
export function liveEventFor(user: UserRow, event: LiveEvent): LiveEvent | null {
  if (event.type === 'reset') return event;
  // The charge nurse answers for the ward when an alert goes unanswered: only they are told. Every
  // board still gets the alert itself, marked with its escalation level.
  if (event.type === 'escalation') return user.role === 'charge_nurse' && worksOnWard(user, event.wardId) ? event : null;
  if (user.role !== 'it_admin') return worksOnWard(user, event.wardId) ? event : null;
  if (event.type === 'device' || event.type === 'monitoring') return event;
  if (event.type === 'alert') {
    return event.data.category === 'technical' ? { ...event, data: technicalAlertView(event.data) } : null;
  }
  return null;
}
