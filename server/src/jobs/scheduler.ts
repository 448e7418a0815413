/** Periodic jobs with no overlap: a run that is still going delays the next instead of doubling up. */
import type { Logger } from '../logger.ts';

export interface Job {
  name: string;
  everyMs: number;
  run(now: Date): Promise<void>;
}

export function startJobs(jobs: Job[], logger: Logger): { stop(): Promise<void> } {
  const running = new Set<Promise<void>>();
  const timers = jobs.map((job) => {
    let busy = false;
    return setInterval(() => {
      if (busy) return;
      busy = true;
      const p = job
        .run(new Date())
        .catch((error: unknown) => logger.error('job failed', { job: job.name, error: String(error) }))
        .finally(() => {
          busy = false;
          running.delete(p);
        });
      running.add(p);
    }, job.everyMs);
  });
  return {
    async stop() {
      timers.forEach(clearInterval);
      await Promise.all(running);
    },
  };
}
