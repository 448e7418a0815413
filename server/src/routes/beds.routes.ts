import { Hono } from 'hono';
import QRCode from 'qrcode';
import { z } from 'zod';
import { BedLabelBodySchema, type SetupWardAnswer, type TabletPairing } from '@attune/protocol/api';
import type { TabletService } from '../services/tablet.service.ts';
import type { WardSetupService } from '../services/ward-setup.service.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { parseJsonBody, parseParam } from '../http/validation.ts';
import { assertWard } from '../http/ward-access.ts';

export function bedRoutes(deps: { tablets: TabletService; setup: WardSetupService }) {
  const app = new Hono<AppEnv>();
  const bedParam = (value: string | undefined) => parseParam(z.uuid(), value, 'bed');

  /**
   * A single-use 6-digit code (valid 10 minutes) and its QR to pair the bedside tablet with the
   * bed's current stay, for a nurse or charge nurse of the bed's ward (404 elsewhere, as for an
   * unknown bed). The code pairs only on the bed's ward, so the link and the QR (the absolute
   * pairing URL on this origin) carry the ward.
   */
  app.post('/:bedId/tablet-pairing', requireRole('nurse', 'charge_nurse'), async (c) => {
    const bedId = parseParam(z.uuid(), c.req.param('bedId'), 'bed');
    assertWard(c.get('user'), await deps.tablets.wardOfBed(bedId), 'No such bed');
    const { code, wardId, expiresAt } = await deps.tablets.createPairing(bedId, c.get('user').id, new Date());
    const pairUrl = `/tablet?${new URLSearchParams({ ward: wardId, code }).toString()}`;
    const qrSvg = await QRCode.toString(new URL(pairUrl, c.req.url).toString(), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return c.json({ code, wardId, expiresAt: expiresAt.toISOString(), pairUrl, qrSvg } satisfies TabletPairing, 201);
  });

  /** Setup (it_admin): renames a bed in use; 409 when another active bed of its ward has the label. Answers the bed's ward. */
  app.patch('/:bedId', requireRole('it_admin'), async (c) => {
    const bedId = bedParam(c.req.param('bedId'));
    const { label } = await parseJsonBody(c, BedLabelBodySchema);
    return c.json({ ward: await deps.setup.renameBed(bedId, label, c.get('user').id) } satisfies SetupWardAnswer);
  });

  /**
   * Setup (it_admin): retires a bed, which leaves the board and admission choices (its history stays).
   * 409 bed_has_active_stay while a patient is in it, 409 bed_has_device while a device still serves it.
   */
  app.post('/:bedId/retire', requireRole('it_admin'), async (c) => {
    const bedId = bedParam(c.req.param('bedId'));
    return c.json({ ward: await deps.setup.retireBed(bedId, c.get('user').id, new Date()) } satisfies SetupWardAnswer);
  });
  return app;
}
