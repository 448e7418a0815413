import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AlertQualityRow, AlertRepository } from '../repositories/alert.repository.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import { ALERT_CATEGORY, OUTCOMES, type AlertKind } from '../domain/alert-types.ts';
import { alertToApi, type AlertService } from '../services/alert.service.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { parseJsonBody, parseParam, parseQuery } from '../http/validation.ts';
import { assertWard, technicalAlertView, worksOnWard } from '../http/ward-access.ts';
import type { AlertRow } from '../repositories/alert.repository.ts';
import type { UserRow } from '../repositories/user.repository.ts';

const ListQuery = z.object({
  state: z.enum(['open', 'firing', 'acknowledged', 'resolved']).default('open'),
  wardId: z.uuid().optional(),
});
const ResolveBody = z.object({ outcome: z.enum(OUTCOMES), note: z.string().trim().max(500).optional() });

/** The periods the alert quality page offers, in hours. */
const QUALITY_PERIOD_HOURS = { '24h': 24, '7d': 7 * 24, '30d': 30 * 24 } as const;
const QualityQuery = z.object({
  period: z.enum(Object.keys(QUALITY_PERIOD_HOURS) as [keyof typeof QUALITY_PERIOD_HOURS]).default('7d'),
  wardId: z.uuid().optional(),
});

export function alertRoutes(deps: { alerts: AlertRepository; service: AlertService; audit: AuditRepository }) {
  const app = new Hono<AppEnv>();
  app.use(requireRole('nurse', 'charge_nurse', 'it_admin'));

  /**
   * Need-to-know for one alert: nurses and charge nurses reach alerts of their wards; it_admin
   * reaches technical alerts on any ward, without patient details. Anything else is the same 404 as
   * an alert that does not exist.
   */
  const reachable = (user: UserRow, row: AlertRow | null): row is AlertRow =>
    row !== null && (user.role === 'it_admin' ? row.category === 'technical' : worksOnWard(user, row.wardId));
  const view = (user: UserRow, row: AlertRow) => (user.role === 'it_admin' ? technicalAlertView(alertToApi(row)) : alertToApi(row));
  const alertParam = async (c: Context<AppEnv>) => {
    const id = parseParam(z.uuid(), c.req.param('id'), 'alert');
    const row = await deps.alerts.get(id);
    if (!reachable(c.get('user'), row)) throw new ApiError(404, 'not_found', 'No such alert');
    return row;
  };

  /** Alerts by state (default: open = firing + acknowledged), highest priority first. */
  app.get('/', async (c) => {
    const q = parseQuery(c, ListQuery);
    const user = c.get('user');
    const states = q.state === 'open' ? (['firing', 'acknowledged'] as const) : ([q.state] as const);
    const it = user.role === 'it_admin';
    if (q.wardId && !it) assertWard(user, q.wardId, 'No such ward');
    const rows = await deps.alerts.list({
      states: [...states],
      wardIds: q.wardId ? [q.wardId] : it ? null : user.wardIds,
      category: it ? 'technical' : undefined,
      limit: q.state === 'resolved' ? 200 : 500,
    });
    return c.json({ alerts: rows.map((row) => view(user, row)) });
  });

  /**
   * Alert quality for charge nurses: per ward and kind, alerts per patient-day, the share of each
   * outcome and the time to the first response, over the last 24 h, 7 d or 30 d. Audited.
   */
  app.get('/quality', requireRole('charge_nurse'), async (c) => {
    const q = parseQuery(c, QualityQuery);
    const to = new Date();
    const from = new Date(to.getTime() - QUALITY_PERIOD_HOURS[q.period] * 3600_000);
    const user = c.get('user');
    if (q.wardId) assertWard(user, q.wardId, 'No such ward');
    const rows = await deps.alerts.quality(from, to, q.wardId ? [q.wardId] : user.wardIds);
    await deps.audit.write({
      actorUserId: c.get('user').id,
      action: 'alert.quality.read',
      subjectType: 'ward',
      subjectId: q.wardId ?? null,
      detail: { period: q.period },
    });
    return c.json(alertQualityToApi(q.period, from, to, rows));
  });

  /** One alert with its history. */
  app.get('/:id', async (c) => {
    const row = await alertParam(c);
    const id = row.id;
    const events = await deps.alerts.events(id);
    await deps.audit.write({ actorUserId: c.get('user').id, action: 'alert.read', subjectType: 'alert', subjectId: id });
    return c.json({
      alert: view(c.get('user'), row),
      events: events.map((e) => ({ id: String(e.id), at: e.at.toISOString(), type: e.type, actor: e.actor, detail: e.detail })),
    });
  });

  /** Acknowledge a firing alert: "I have seen it and I am on it." */
  app.post('/:id/acknowledge', async (c) => {
    const id = (await alertParam(c)).id;
    const row = await deps.service.acknowledge(id, c.get('user').id, new Date());
    await deps.audit.write({ actorUserId: c.get('user').id, action: 'alert.acknowledge', subjectType: 'alert', subjectId: id });
    return c.json({ alert: view(c.get('user'), row) });
  });

  /** Resolve an open alert with its outcome (feeds alarm-fatigue review). */
  app.post('/:id/resolve', async (c) => {
    const body = await parseJsonBody(c, ResolveBody);
    const id = (await alertParam(c)).id;
    const row = await deps.service.resolve(id, c.get('user').id, body.outcome, body.note || null, new Date());
    await deps.audit.write({
      actorUserId: c.get('user').id,
      action: 'alert.resolve',
      subjectType: 'alert',
      subjectId: id,
      detail: { outcome: body.outcome },
    });
    return c.json({ alert: view(c.get('user'), row) });
  });
  return app;
}

const share = (count: number, total: number) => (total === 0 ? null : count / total);

/** The API shape of the alert quality figures (docs/api.md `AlertQuality`): one entry per ward, its kinds inside. */
function alertQualityToApi(period: string, from: Date, to: Date, rows: AlertQualityRow[]) {
  const wards = new Map<string, { wardId: string; wardName: string; patientDays: number; kinds: ReturnType<typeof kindToApi>[] }>();
  for (const r of rows) {
    let ward = wards.get(r.wardId);
    if (!ward) {
      ward = { wardId: r.wardId, wardName: r.wardName, patientDays: r.patientDays, kinds: [] };
      wards.set(r.wardId, ward);
    }
    if (r.kind !== null) ward.kinds.push(kindToApi(r, r.kind));
  }
  return { period, from: from.toISOString(), to: to.toISOString(), wards: [...wards.values()] };
}

function kindToApi(r: AlertQualityRow, kind: AlertKind) {
  const outcome = (count: number) => ({ count, share: share(count, r.alerts) });
  return {
    kind,
    category: ALERT_CATEGORY[kind],
    alerts: r.alerts,
    alertsPerPatientDay: r.alertsPerPatientDay,
    outcomes: {
      intervened: outcome(r.intervened),
      comforted: outcome(r.comforted),
      no_action_needed: outcome(r.noActionNeeded),
      false_alarm: outcome(r.falseAlarm),
      none_recorded: outcome(r.noneRecorded),
    },
    responded: r.responded,
    timeToAcknowledgeS: { median: r.responseMedianS, p90: r.responseP90S },
  };
}
