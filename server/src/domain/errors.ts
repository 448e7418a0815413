/**
 * A refusal a service makes for a reason the caller can act on. The HTTP edge maps it to the
 * error shape of docs/api.md (404, 409, 400 with field errors, 429); services stay free of HTTP.
 */
export type DomainErrorCode = 'not_found' | 'conflict' | 'validation_failed' | 'rate_limited';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}
