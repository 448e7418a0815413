import { Hono } from 'hono';
import type { Health, Readiness as ApiReadiness } from '@attune/protocol/api';
import type { Metrics } from '../platform/metrics.ts';

export interface Readiness {
  database: boolean;
  mqtt: boolean;
  /** Everything that stops monitoring, in words: empty when ready. */
  problems: string[];
}

export function opsRoutes(deps: { metrics: Metrics; readiness: (now: Date) => Promise<Readiness> }) {
  const app = new Hono();

  /** Liveness: the process runs. */
  app.get('/healthz', (c) => c.json({ status: 'ok' } satisfies Health));

  /**
   * Readiness: the database answers, MQTT ingest is connected, windows are being stored (no message
   * waits longer than INGEST_STALL_S, and consented online devices are heard), and every periodic
   * job completes. 503 names each problem.
   */
  app.get('/readyz', async (c) => {
    const r = await deps.readiness(new Date());
    const ready = r.problems.length === 0;
    return c.json({ status: ready ? 'ready' : 'not_ready', ...r } satisfies ApiReadiness, ready ? 200 : 503);
  });

  /** Prometheus metrics. */
  app.get('/metrics', (c) => c.text(deps.metrics.text(), 200, { 'Content-Type': 'text/plain; version=0.0.4' }));
  return app;
}
