import { Hono } from 'hono';
import { z } from 'zod';
import type { AlertRepository } from '../repositories/alert.repository.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import type { ScoreRepository } from '../repositories/score.repository.ts';
import type { StayRepository } from '../repositories/stay.repository.ts';
import { alertToApi } from '../services/alert.service.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { parseParam, parseQuery } from '../http/validation.ts';

const TimelineQuery = z.object({ hours: z.coerce.number().int().min(1).max(72).default(6) });

export function stayRoutes(deps: { stays: StayRepository; scores: ScoreRepository; alerts: AlertRepository; audit: AuditRepository }) {
  const app = new Hono<AppEnv>();
  app.use(requireRole('nurse', 'charge_nurse'));

  /** A stay's distress timeline, alerts and consent history. Every read is audited. */
  app.get('/:stayId/timeline', async (c) => {
    const stayId = parseParam(z.uuid(), c.req.param('stayId'), 'stay');
    const { hours } = parseQuery(c, TimelineQuery);
    const stay = await deps.stays.find(stayId);
    if (!stay) throw new ApiError(404, 'not_found', 'No such stay');
    const from = new Date(Date.now() - hours * 3600_000);
    const [scores, alerts, consent] = await Promise.all([
      deps.scores.timeline(stayId, from),
      deps.alerts.listForStay(stayId),
      deps.stays.consentEvents(stayId),
    ]);
    await deps.audit.write({
      actorUserId: c.get('user').id,
      action: 'stay.timeline.read',
      subjectType: 'stay',
      subjectId: stayId,
      detail: { hours },
    });
    return c.json({
      stay: {
        id: stay.id,
        patientName: stay.patientName,
        bedLabel: stay.bedLabel,
        wardId: stay.wardId,
        admittedAt: stay.admittedAt.toISOString(),
        dischargedAt: stay.dischargedAt?.toISOString() ?? null,
      },
      consent: consent.map((e) => ({
        at: e.effectiveAt.toISOString(),
        camera: e.camera,
        wearable: e.wearable,
        actor: e.actorKind,
        proxyName: e.proxyName,
      })),
      scores: scores.map((s) => ({ ...s, windowEnd: s.windowEnd.toISOString() })),
      alerts: alerts.map(alertToApi),
    });
  });
  return app;
}
