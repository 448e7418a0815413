/**
 * Ingest's database steps retry only failures to reach the database, with backoff, as long as it
 * takes: nothing is acknowledged meanwhile, so backpressure reaches the broker, which queues for
 * the server's persistent session. Any other error is thrown at once.
 */
import { databaseErrorCode, isTransientDatabaseError } from '@attune/db';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';

/** Backoff ceiling for database retries, and how often a step is tried once shutdown has begun. */
const RETRY_MAX_DELAY_MS = 5000;
const CLOSING_ATTEMPTS = 3;

/** Thrown to the transport when shutdown stops a message from being stored: it must not be acknowledged. */
export class NotStoredError extends Error {}

/** Runs `run`; once shutdown has begun (`closing()`), gives up after a few attempts so a dead database cannot hang a stop. */
export async function retryTransient<T>(
  step: string,
  run: () => Promise<T>,
  context: { closing: () => boolean; metrics: Metrics; logger: Logger },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!isTransientDatabaseError(error)) throw error;
      if (context.closing() && attempt >= CLOSING_ATTEMPTS)
        throw new NotStoredError(`database unreachable during shutdown: ${String(error)}`);
      const delayMs = Math.min(RETRY_MAX_DELAY_MS, 100 * 2 ** (attempt - 1));
      context.metrics.ingestRetries.inc({ step });
      context.logger.warn('ingest database step failed; retrying', {
        step,
        attempt,
        delayMs,
        code: databaseErrorCode(error),
        error: String(error),
      });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
