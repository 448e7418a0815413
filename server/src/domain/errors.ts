/**
 * A refusal a service makes for a reason the caller can act on. The HTTP edge maps it to the
 * error shape of docs/api.md (404, 409, 400 with field errors, 429); services stay free of HTTP.
 */
export type DomainErrorCode =
  | 'not_found'
  | 'conflict'
  | 'validation_failed'
  | 'rate_limited'
  // Setup refusals (409): what still holds a bed or ward in use, so a program can tell them apart.
  | 'bed_has_active_stay'
  | 'bed_has_device'
  | 'ward_has_active_beds';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}
