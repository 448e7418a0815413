import type { Logger } from '../platform/logger.ts';

/**
 * What has been started, stopped in reverse order. A failing stop step is logged and the rest
 * still run, so one stuck part cannot keep the database or the broker open.
 */
export class StopStack {
  private readonly steps: (() => Promise<void>)[] = [];
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  push(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const step of this.steps.reverse()) {
      await step().catch((error: unknown) => this.logger.error('stop step failed', { error: String(error) }));
    }
  }
}
