/** The 429 answers of the routes that limit attempts: sign-in, tablet pairing and agent enrolment. */
import type { Context } from 'hono';
import { ApiError } from '../http/errors.ts';
import type { AttemptLimiter } from '../http/rate-limit.ts';

/** Sets `Retry-After` to the wait in whole seconds (at least 1) and answers those seconds. */
export function setRetryAfter(c: Context, waitMs: number): number {
  const retryAfterS = Math.max(1, Math.ceil(waitMs / 1000));
  c.header('Retry-After', String(retryAfterS));
  return retryAfterS;
}

/** Counts an attempt from `address`; one past the limit is answered 429 `rate_limited` with `message`. */
export function refuseOverAttemptLimit(c: Context, limiter: AttemptLimiter, address: string, nowMs: number, message: string): void {
  if (limiter.allow(address, nowMs)) return;
  setRetryAfter(c, limiter.retryAfterMs(address, nowMs));
  throw new ApiError(429, 'rate_limited', message);
}
