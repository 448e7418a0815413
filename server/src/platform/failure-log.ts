/**
 * The log of something that fails again and again on a timer: during a database outage every job,
 * lease round and cluster ping fails every few seconds, and one line per failure would bury the
 * rest of the log (and the moment it started) under thousands of identical lines. So: the first
 * failure in full, then one summary a minute (how long, how many, the latest), then the recovery.
 * Loud, but readable: `/readyz` and the board say the outage at once; the log says its story.
 */
import type { Logger } from './logger.ts';

/** While failures repeat, one summary line per this period. */
export const FAILURE_SUMMARY_EVERY_MS = 60_000;

export interface FailureLog {
  /** One failure; the first of an outage is logged in full, later ones are counted. */
  failed(error: unknown, fields?: Record<string, unknown>): void;
  /** It worked: an outage, if there was one, is logged as over. */
  succeeded(): void;
}

export function failureLog(logger: Logger, what: string, base: Record<string, unknown> = {}, now = () => Date.now()): FailureLog {
  let outage: { sinceMs: number; reportedMs: number; failures: number; last: string } | null = null;
  return {
    failed(error, fields = {}) {
      const message = String(error);
      const t = now();
      if (!outage) {
        outage = { sinceMs: t, reportedMs: t, failures: 0, last: message };
        logger.error(what, { ...base, ...fields, error: message });
        return;
      }
      outage.failures += 1;
      outage.last = message;
      if (t - outage.reportedMs < FAILURE_SUMMARY_EVERY_MS) return;
      logger.error(`${what} (still failing)`, {
        ...base,
        failingForS: Math.round((t - outage.sinceMs) / 1000),
        failuresSinceLastLine: outage.failures,
        lastError: outage.last,
      });
      outage.reportedMs = t;
      outage.failures = 0;
    },
    succeeded() {
      if (!outage) return;
      logger.warn(`${what}: works again`, { ...base, failedForS: Math.round((now() - outage.sinceMs) / 1000) });
      outage = null;
    },
  };
}
