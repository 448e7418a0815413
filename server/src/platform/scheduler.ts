/** Periodic jobs with no overlap: a run that is still going delays the next instead of doubling up. */
import { failureLog } from './failure-log.ts';
import type { Logger } from './logger.ts';

export interface Job {
  name: string;
  everyMs: number;
  run(now: Date): Promise<void>;
  /** Several instances: only the holder of the job's lease runs it (the others count a skipped run as done). */
  leased?: boolean;
}

/** A job that has not completed a run for this many of its periods (at least a minute) is stalled. */
const STALLED_AFTER_PERIODS = 3;
const STALLED_AFTER_MIN_MS = 60_000;

export interface RunningJobs {
  /** Jobs that have not completed a run for a while, in words (readiness fails on them). */
  stalled(now: Date): string[];
  /** Whether this job has not completed a run for a while. */
  isStalled(name: string, now: Date): boolean;
  stop(): Promise<void>;
}

export function startJobs(
  jobs: Job[],
  logger: Logger,
  options: { startedAt?: Date; holdsLease?: (jobName: string) => boolean } = {},
): RunningJobs {
  const startedAt = options.startedAt ?? new Date();
  const running = new Set<Promise<void>>();
  const lastCompletedMs = new Map(jobs.map((job) => [job.name, startedAt.getTime()]));
  const timers = jobs.map((job) => {
    let busy = false;
    const failures = failureLog(logger, 'job failed', { job: job.name });
    return setInterval(() => {
      if (busy) return;
      busy = true;
      const mine = !job.leased || !options.holdsLease || options.holdsLease(job.name);
      const p = (mine ? job.run(new Date()) : Promise.resolve())
        .then(() => {
          lastCompletedMs.set(job.name, Date.now());
          failures.succeeded();
        })
        .catch((error: unknown) => failures.failed(error))
        .finally(() => {
          busy = false;
          running.delete(p);
        });
      running.add(p);
    }, job.everyMs);
  });
  const stalledForMs = (job: Job, now: Date): number | null => {
    const sinceMs = now.getTime() - lastCompletedMs.get(job.name)!;
    return sinceMs > Math.max(STALLED_AFTER_MIN_MS, STALLED_AFTER_PERIODS * job.everyMs) ? sinceMs : null;
  };
  return {
    stalled(now) {
      return jobs.flatMap((job) => {
        const sinceMs = stalledForMs(job, now);
        return sinceMs === null ? [] : [`job ${job.name} has not completed for ${Math.round(sinceMs / 1000)} s`];
      });
    },
    isStalled(name, now) {
      const job = jobs.find((j) => j.name === name);
      return job !== undefined && stalledForMs(job, now) !== null;
    },
    async stop() {
      timers.forEach(clearInterval);
      await Promise.all(running);
    },
  };
}
