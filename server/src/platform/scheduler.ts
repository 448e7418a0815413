/** Periodic jobs with no overlap: a run that is still going delays the next instead of doubling up. */
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
    return setInterval(() => {
      if (busy) return;
      busy = true;
      const mine = !job.leased || !options.holdsLease || options.holdsLease(job.name);
      const p = (mine ? job.run(new Date()) : Promise.resolve())
        .then(() => void lastCompletedMs.set(job.name, Date.now()))
        .catch((error: unknown) => logger.error('job failed', { job: job.name, error: String(error) }))
        .finally(() => {
          busy = false;
          running.delete(p);
        });
      running.add(p);
    }, job.everyMs);
  });
  return {
    stalled(now) {
      return jobs.flatMap((job) => {
        const sinceMs = now.getTime() - lastCompletedMs.get(job.name)!;
        const limitMs = Math.max(STALLED_AFTER_MIN_MS, STALLED_AFTER_PERIODS * job.everyMs);
        return sinceMs > limitMs ? [`job ${job.name} has not completed for ${Math.round(sinceMs / 1000)} s`] : [];
      });
    },
    async stop() {
      timers.forEach(clearInterval);
      await Promise.all(running);
    },
  };
}
