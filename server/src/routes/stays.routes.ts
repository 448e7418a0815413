import { Hono } from 'hono';
import { z } from 'zod';
import {
  AdmitBodySchema,
  SetAlertSensitivityBodySchema,
  TimelineQuerySchema,
  TransferBodySchema,
  type AlertSensitivityAnswer,
  type ConsentVerification,
  type StayAnswer,
  type Timeline,
} from '@attune/protocol/api';
import type { StayRecordService } from '../services/stay-record.service.ts';
import type { StayService } from '../services/stay.service.ts';
import type { Context } from 'hono';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { assertWard } from '../http/ward-access.ts';
import { parseJsonBody, parseParam, parseQuery } from '../http/validation.ts';

export function stayRoutes(deps: { service: StayService; records: StayRecordService }) {
  const app = new Hono<AppEnv>();
  const clinical = requireRole('nurse', 'charge_nurse');
  const admin = requireRole('charge_nurse');
  /**
   * The stay named in the path, if it is on one of the user's wards; a stay elsewhere answers the
   * same 404 as one that does not exist. Every stay route starts here.
   */
  const stayOnMyWard = async (c: Context<AppEnv>) => {
    const stayId = parseParam(z.uuid(), c.req.param('stayId'), 'stay');
    const stay = await deps.records.find(stayId);
    assertWard(c.get('user'), stay?.wardId, 'No such stay');
    return stay!;
  };
  /** A bed named in a body must be on one of the user's wards too. */
  const assertBedOnMyWard = async (c: Context<AppEnv>, bedId: string) => {
    const bed = await deps.records.findBed(bedId);
    assertWard(c.get('user'), bed?.wardId, 'No such bed');
  };

  /** Admit a patient to a free bed. The new stay has no consent: its agent is told "all off". */
  app.post('/', admin, async (c) => {
    const body = await parseJsonBody(c, AdmitBodySchema);
    await assertBedOnMyWard(c, body.bedId);
    const stay = await deps.service.admit(body, c.get('user').id, new Date());
    return c.json({ stay } satisfies StayAnswer, 201);
  });

  /** One stay with the consent in force. Audited. */
  app.get('/:stayId', clinical, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    return c.json({ stay: await deps.records.read(stayId, c.get('user').id) } satisfies StayAnswer);
  });

  /** Move the patient to another free bed; consent follows them. */
  app.post('/:stayId/transfer', admin, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    const body = await parseJsonBody(c, TransferBodySchema);
    await assertBedOnMyWard(c, body.bedId);
    return c.json({ stay: await deps.service.transfer(stayId, body.bedId, c.get('user').id, new Date()) } satisfies StayAnswer);
  });

  /** End the stay: consent ends, the bed's agent is told "all off", tablet sessions end. */
  app.post('/:stayId/discharge', admin, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    return c.json({ stay: await deps.service.discharge(stayId, c.get('user').id, new Date()) } satisfies StayAnswer);
  });

  /** The stay's alert sensitivity in force now (null: standard). */
  app.get('/:stayId/sensitivity', clinical, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    return c.json({ alertSensitivity: await deps.service.alertSensitivity(stayId, new Date()) } satisfies AlertSensitivityAnswer);
  });

  /** A charge nurse sets the stay's alert sensitivity, with a reason, for 24 h. Audited. */
  app.put('/:stayId/sensitivity', admin, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    const body = await parseJsonBody(c, SetAlertSensitivityBodySchema);
    return c.json({
      alertSensitivity: await deps.service.setAlertSensitivity(stayId, body, c.get('user').id, new Date()),
    } satisfies AlertSensitivityAnswer);
  });

  /** "The patient asked to stop": one tap on the board, recorded as staff with the nurse's id. */
  app.post('/:stayId/consent/stop', clinical, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    return c.json({ stay: await deps.service.staffStop(stayId, c.get('user').id, new Date()) } satisfies StayAnswer);
  });

  /** Walks the stay's consent hash chain. Audited. */
  app.get('/:stayId/consent/verify', clinical, async (c) => {
    const stayId = (await stayOnMyWard(c)).id;
    return c.json((await deps.records.verifyConsent(stayId, c.get('user').id)) satisfies ConsentVerification);
  });

  /** The stay's consent as a FHIR R4 Consent resource. Audited. */
  app.get('/:stayId/consent/fhir', clinical, async (c) => {
    const stay = await stayOnMyWard(c);
    const resource = await deps.records.consentAsFhir(stay, c.get('user').id, new Date());
    return c.body(JSON.stringify(resource), 200, { 'Content-Type': 'application/fhir+json; charset=utf-8' });
  });

  /** A stay's distress timeline, alerts and consent history. Every read is audited. */
  app.get('/:stayId/timeline', clinical, async (c) => {
    const stay = await stayOnMyWard(c);
    const { hours } = parseQuery(c, TimelineQuerySchema);
    return c.json((await deps.records.timeline(stay, hours, c.get('user').id, new Date())) satisfies Timeline);
  });
  return app;
}
