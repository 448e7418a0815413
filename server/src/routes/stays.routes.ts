import { Hono } from 'hono';
import { renderDrivers } from '../domain/driver-words.ts';
import { z } from 'zod';
import type { AlertRepository } from '../repositories/alert.repository.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import type { ScoreRepository } from '../repositories/score.repository.ts';
import type { StayRepository } from '../repositories/stay.repository.ts';
import { alertToApi } from '../services/alert.service.ts';
import { ALERT_SENSITIVITIES } from '../domain/distress-rule.ts';
import { toFhirConsent } from '../services/consent-fhir.ts';
import { verifyStayChain } from '../services/consent-verification.ts';
import type { StayService } from '../services/stay.service.ts';
import type { Context } from 'hono';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { assertWard } from '../http/ward-access.ts';
import { parseJsonBody, parseParam, parseQuery } from '../http/validation.ts';

const TimelineQuery = z.object({ hours: z.coerce.number().int().min(1).max(72).default(6) });
const AdmitBody = z.object({
  bedId: z.uuid(),
  displayName: z.string().trim().min(1).max(200),
  externalId: z.string().trim().min(1).max(100).optional(),
});
const TransferBody = z.object({ bedId: z.uuid() });
const SensitivityBody = z.object({
  sensitivity: z.enum(ALERT_SENSITIVITIES),
  /** Why: shown on the tile and in the distress alert's explanation, and kept in the audit log. */
  reason: z.string().trim().min(3, 'Give a reason (at least 3 characters)').max(200),
});

export function stayRoutes(deps: {
  stays: StayRepository;
  scores: ScoreRepository;
  alerts: AlertRepository;
  audit: AuditRepository;
  service: StayService;
}) {
  const app = new Hono<AppEnv>();
  const clinical = requireRole('nurse', 'charge_nurse');
  const admin = requireRole('charge_nurse');
  /**
   * The stay named in the path, if it is on one of the user's wards; a stay elsewhere answers the
   * same 404 as one that does not exist. Every stay route starts here.
   */
  const stayOnMyWard = async (c: Context<AppEnv>) => {
    const stayId = parseParam(z.uuid(), c.req.param('stayId'), 'stay');
    const stay = await deps.stays.find(stayId);
    assertWard(c.get('user'), stay?.wardId, 'No such stay');
    return stay!;
  };
  /** A bed named in a body must be on one of the user's wards too. */
  const assertBedOnMyWard = async (c: Context<AppEnv>, bedId: string) => {
    const bed = await deps.stays.findBed(bedId);
    assertWard(c.get('user'), bed?.wardId, 'No such bed');
  };
  const audit = (userId: string, action: string, stayId: string, detail?: Record<string, unknown>) =>
    deps.audit.write({ actorUserId: userId, action, subjectType: 'stay', subjectId: stayId, ...(detail ? { detail } : {}) });

  /** Admit a patient to a free bed. The new stay has no consent: its agent is told "all off". */
  app.post('/', admin, async (c) => {
    const body = await parseJsonBody(c, AdmitBody);
    await assertBedOnMyWard(c, body.bedId);
    const stay = await deps.service.admit(body, c.get('user').id, new Date());
    return c.json({ stay }, 201);
  });

  /** One stay with the consent in force. Audited. */
  app.get('/:stayId', clinical, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    const stay = await deps.service.view(stayId);
    await audit(c.get('user').id, 'stay.read', stayId);
    return c.json({ stay });
  });

  /** Move the patient to another free bed; consent follows them. */
  app.post('/:stayId/transfer', admin, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    const body = await parseJsonBody(c, TransferBody);
    await assertBedOnMyWard(c, body.bedId);
    return c.json({ stay: await deps.service.transfer(stayId, body.bedId, c.get('user').id, new Date()) });
  });

  /** End the stay: consent ends, the bed's agent is told "all off", tablet sessions end. */
  app.post('/:stayId/discharge', admin, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    return c.json({ stay: await deps.service.discharge(stayId, c.get('user').id, new Date()) });
  });

  /** The stay's alert sensitivity in force now (null: standard). */
  app.get('/:stayId/sensitivity', clinical, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    return c.json({ alertSensitivity: await deps.service.alertSensitivity(stayId, new Date()) });
  });

  /** A charge nurse sets the stay's alert sensitivity, with a reason, for 24 h. Audited. */
  app.put('/:stayId/sensitivity', admin, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    const body = await parseJsonBody(c, SensitivityBody);
    return c.json({ alertSensitivity: await deps.service.setAlertSensitivity(stayId, body, c.get('user').id, new Date()) });
  });

  /** "The patient asked to stop": one tap on the board, recorded as staff with the nurse's id. */
  app.post('/:stayId/consent/stop', clinical, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    return c.json({ stay: await deps.service.staffStop(stayId, c.get('user').id, new Date()) });
  });

  /** Walks the stay's consent hash chain. Audited. */
  app.get('/:stayId/consent/verify', clinical, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    const verdict = await verifyStayChain(deps.stays, stayId);
    await audit(c.get('user').id, 'consent.verify', stayId, { ok: verdict.ok, events: verdict.events });
    return c.json(verdict);
  });

  /** The stay's consent as a FHIR R4 Consent resource. Audited. */
  app.get('/:stayId/consent/fhir', clinical, async (c) => {
    const stay = await stayOnMyWard(c);
    const stayId = stay.id;
    const resource = toFhirConsent(stay, await deps.stays.consentEvents(stayId), new Date());
    if (!resource) throw new ApiError(404, 'not_found', 'No consent has been recorded for this stay');
    await audit(c.get('user').id, 'consent.fhir.export', stayId, { status: resource.status });
    return c.body(JSON.stringify(resource), 200, { 'Content-Type': 'application/fhir+json; charset=utf-8' });
  });

  /** A stay's distress timeline, alerts and consent history. Every read is audited. */
  app.get('/:stayId/timeline', clinical, async (c) => {
    const stay = await stayOnMyWard(c);
    const stayId = stay.id;
    const { hours } = parseQuery(c, TimelineQuery);
    const from = new Date(Date.now() - hours * 3600_000);
    const [scores, alerts, consent] = await Promise.all([
      deps.scores.timeline(stayId, from),
      deps.alerts.listForStay(stayId),
      deps.stays.consentEvents(stayId),
    ]);
    await audit(c.get('user').id, 'stay.timeline.read', stayId, { hours });
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
      scores: scores.map((s) => ({ ...s, windowEnd: s.windowEnd.toISOString(), drivers: renderDrivers(s.drivers) })),
      alerts: alerts.map(alertToApi),
    });
  });
  return app;
}
