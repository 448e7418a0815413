import { Hono } from 'hono';
import { z } from 'zod';
import type { AlertRepository } from '../repositories/alert.repository.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import { OUTCOMES } from '../services/alert-types.ts';
import { AlertActionError, alertToApi, type AlertService } from '../services/alert.service.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { parseJsonBody, parseParam, parseQuery } from '../http/validation.ts';

const ListQuery = z.object({
  state: z.enum(['open', 'firing', 'acknowledged', 'resolved']).default('open'),
  wardId: z.uuid().optional(),
});
const ResolveBody = z.object({ outcome: z.enum(OUTCOMES), note: z.string().trim().max(500).optional() });

export function alertRoutes(deps: { alerts: AlertRepository; service: AlertService; audit: AuditRepository }) {
  const app = new Hono<AppEnv>();
  app.use(requireRole('nurse', 'charge_nurse', 'it_admin'));

  const act = async <T>(fn: () => Promise<T>) => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof AlertActionError) throw new ApiError(error.code === 'not_found' ? 404 : 409, error.code, error.message);
      throw error;
    }
  };

  /** Alerts by state (default: open = firing + acknowledged), highest priority first. */
  app.get('/', async (c) => {
    const q = parseQuery(c, ListQuery);
    const states = q.state === 'open' ? (['firing', 'acknowledged'] as const) : ([q.state] as const);
    const rows = await deps.alerts.list({ states: [...states], wardId: q.wardId, limit: q.state === 'resolved' ? 200 : 500 });
    return c.json({ alerts: rows.map(alertToApi) });
  });

  /** One alert with its history. */
  app.get('/:id', async (c) => {
    const id = parseParam(z.uuid(), c.req.param('id'), 'alert');
    const row = await deps.alerts.get(id);
    if (!row) throw new ApiError(404, 'not_found', 'No such alert');
    const events = await deps.alerts.events(id);
    await deps.audit.write({ actorUserId: c.get('user').id, action: 'alert.read', subjectType: 'alert', subjectId: id });
    return c.json({
      alert: alertToApi(row),
      events: events.map((e) => ({ id: String(e.id), at: e.at.toISOString(), type: e.type, actor: e.actor, detail: e.detail })),
    });
  });

  /** Acknowledge a firing alert: "I have seen it and I am on it." */
  app.post('/:id/acknowledge', async (c) => {
    const id = parseParam(z.uuid(), c.req.param('id'), 'alert');
    const row = await act(() => deps.service.acknowledge(id, c.get('user').id, new Date()));
    await deps.audit.write({ actorUserId: c.get('user').id, action: 'alert.acknowledge', subjectType: 'alert', subjectId: id });
    return c.json({ alert: alertToApi(row) });
  });

  /** Resolve an open alert with its outcome (feeds alarm-fatigue review). */
  app.post('/:id/resolve', async (c) => {
    const id = parseParam(z.uuid(), c.req.param('id'), 'alert');
    const body = await parseJsonBody(c, ResolveBody);
    const row = await act(() => deps.service.resolve(id, c.get('user').id, body.outcome, body.note || null, new Date()));
    await deps.audit.write({
      actorUserId: c.get('user').id,
      action: 'alert.resolve',
      subjectType: 'alert',
      subjectId: id,
      detail: { outcome: body.outcome },
    });
    return c.json({ alert: alertToApi(row) });
  });
  return app;
}
