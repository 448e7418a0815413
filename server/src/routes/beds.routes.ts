import { Hono } from 'hono';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { TabletPairing } from '@attune/protocol/api';
import type { TabletService } from '../services/tablet.service.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { parseParam } from '../http/validation.ts';
import { assertWard } from '../http/ward-access.ts';

export function bedRoutes(deps: { tablets: TabletService }) {
  const app = new Hono<AppEnv>();

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
  return app;
}
