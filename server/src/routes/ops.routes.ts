import { Hono } from 'hono';
import type { Metrics } from '../metrics.ts';

export function opsRoutes(deps: { metrics: Metrics; readiness: () => Promise<{ database: boolean; mqtt: boolean }> }) {
  const app = new Hono();

  /** Liveness: the process runs. */
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  /** Readiness: the database answers and MQTT ingest is connected. */
  app.get('/readyz', async (c) => {
    const r = await deps.readiness();
    const ready = r.database && r.mqtt;
    return c.json({ status: ready ? 'ready' : 'not_ready', ...r }, ready ? 200 : 503);
  });

  /** Prometheus metrics. */
  app.get('/metrics', (c) => c.text(deps.metrics.text(), 200, { 'Content-Type': 'text/plain; version=0.0.4' }));
  return app;
}
