import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  AlertListQuerySchema,
  AlertQualityQuerySchema,
  ResolveAlertBodySchema,
  type Alert,
  type AlertAnswer,
  type AlertList,
  type AlertQuality,
  type AlertStateFilter,
  type AlertWithHistory,
} from '@attune/protocol/api';
import type { AlertState } from '../domain/alert-types.ts';
import { alertToApi, technicalAlertView } from '../mappers/alert.mapper.ts';
import type { AlertRow } from '../repositories/alert.repository.ts';
import type { UserRow } from '../repositories/user.repository.ts';
import type { AlertDeskService } from '../services/alert-desk.service.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { parseJsonBody, parseParam, parseQuery } from '../http/validation.ts';
import { assertWard, worksOnWard } from '../http/ward-access.ts';

const STATES_OF: Record<AlertStateFilter, AlertState[]> = {
  open: ['firing', 'acknowledged'],
  firing: ['firing'],
  acknowledged: ['acknowledged'],
  resolved: ['resolved'],
  all: ['firing', 'acknowledged', 'resolved'],
};

export function alertRoutes(deps: { desk: AlertDeskService }) {
  const app = new Hono<AppEnv>();
  app.use(requireRole('nurse', 'charge_nurse', 'it_admin'));

  /**
   * Need-to-know for one alert: nurses and charge nurses reach alerts of their wards; it_admin
   * reaches technical alerts on any ward, without patient details. Anything else is the same 404 as
   * an alert that does not exist.
   */
  const reachable = (user: UserRow, row: AlertRow | null): row is AlertRow =>
    row !== null && (user.role === 'it_admin' ? row.category === 'technical' : worksOnWard(user, row.wardId));
  const view = (user: UserRow, row: AlertRow): Alert => (user.role === 'it_admin' ? technicalAlertView(alertToApi(row)) : alertToApi(row));
  const alertParam = async (c: Context<AppEnv>) => {
    const id = parseParam(z.uuid(), c.req.param('id'), 'alert');
    const row = await deps.desk.get(id);
    if (!reachable(c.get('user'), row)) throw new ApiError(404, 'not_found', 'No such alert');
    return row;
  };

  /**
   * Alerts by state (default: open = firing + acknowledged; all: every state), kind, priority, bed
   * and when they opened. Open states come in board order (firing first, highest priority first),
   * resolved and all newest first; at most `limit`.
   */
  app.get('/', async (c) => {
    const q = parseQuery(c, AlertListQuerySchema);
    const user = c.get('user');
    const it = user.role === 'it_admin';
    if (q.wardId && !it) assertWard(user, q.wardId, 'No such ward');
    const from = q.from === undefined ? undefined : new Date(q.from);
    const to = q.to === undefined ? undefined : new Date(q.to);
    if (from && to && from >= to) throw new ApiError(400, 'validation_failed', 'Query is invalid', { from: 'must be before to' });
    const history = q.state === 'resolved' || q.state === 'all';
    const rows = await deps.desk.list({
      states: STATES_OF[q.state],
      wardIds: q.wardId ? [q.wardId] : it ? null : user.wardIds,
      technicalOnly: it,
      kind: q.kind,
      priority: q.priority,
      bedId: q.bedId,
      from,
      to,
      order: history ? 'newest' : 'board',
      limit: q.limit,
    });
    return c.json({ alerts: rows.map((row) => view(user, row)) } satisfies AlertList);
  });

  /** Alert quality for charge nurses, on their wards (or one of them). Audited. */
  app.get('/quality', requireRole('charge_nurse'), async (c) => {
    const q = parseQuery(c, AlertQualityQuerySchema);
    const to = new Date();
    const user = c.get('user');
    if (q.wardId) assertWard(user, q.wardId, 'No such ward');
    return c.json((await deps.desk.quality(q.period, q.wardId ?? null, user.wardIds, user.id, to)) satisfies AlertQuality);
  });

  /** One alert with its history. Audited. */
  app.get('/:id', async (c) => {
    const row = await alertParam(c);
    const events = await deps.desk.history(row.id, c.get('user').id);
    return c.json({ alert: view(c.get('user'), row), events } satisfies AlertWithHistory);
  });

  /** Acknowledge a firing alert: "I have seen it and I am on it." */
  app.post('/:id/acknowledge', async (c) => {
    const id = (await alertParam(c)).id;
    const row = await deps.desk.acknowledge(id, c.get('user').id, new Date());
    return c.json({ alert: view(c.get('user'), row) } satisfies AlertAnswer);
  });

  /** Resolve an open alert with its outcome (feeds alarm-fatigue review). */
  app.post('/:id/resolve', async (c) => {
    const body = await parseJsonBody(c, ResolveAlertBodySchema);
    const id = (await alertParam(c)).id;
    const row = await deps.desk.resolve(id, c.get('user').id, body.outcome, body.note || null, new Date());
    return c.json({ alert: view(c.get('user'), row) } satisfies AlertAnswer);
  });
  return app;
}
