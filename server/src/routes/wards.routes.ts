import { Hono } from 'hono';
import { z } from 'zod';
import {
  BedLabelBodySchema,
  BedOrderBodySchema,
  WardNameBodySchema,
  type Board,
  type SetupWardAnswer,
  type SetupWardList,
  type WardList,
} from '@attune/protocol/api';
import type { WardRepository } from '../repositories/ward.repository.ts';
import type { BoardService } from '../services/board.service.ts';
import type { WardSetupService } from '../services/ward-setup.service.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { assertWard } from '../http/ward-access.ts';
import { parseJsonBody, parseParam } from '../http/validation.ts';

export function wardRoutes(deps: { wards: WardRepository; board: BoardService; setup: WardSetupService }) {
  const app = new Hono<AppEnv>();
  const itAdmin = requireRole('it_admin');
  const wardParam = (value: string | undefined) => parseParam(z.uuid(), value, 'ward');

  /**
   * Wards in use with their bed counts: a nurse's or charge nurse's own wards; every ward for
   * it_admin, whose device views name wards and beds (never patients). Retired wards are left out.
   */
  app.get('/', requireRole('nurse', 'charge_nurse', 'it_admin'), async (c) => {
    const user = c.get('user');
    const wards = await deps.wards.list();
    return c.json({ wards: user.role === 'it_admin' ? wards : wards.filter((w) => user.wardIds.includes(w.id)) } satisfies WardList);
  });

  /** Setup (it_admin): every ward with all its beds and their devices, retired ones too (never a patient). */
  app.get('/setup', itAdmin, async (c) => c.json((await deps.setup.list()) satisfies SetupWardList));

  /** Setup (it_admin): a new ward with no beds; 409 when the name is taken, by a retired ward too. */
  app.post('/', itAdmin, async (c) => {
    const { name } = await parseJsonBody(c, WardNameBodySchema);
    return c.json({ ward: await deps.setup.createWard(name, c.get('user').id) } satisfies SetupWardAnswer, 201);
  });

  /** Setup (it_admin): renames a ward in use. */
  app.patch('/:wardId', itAdmin, async (c) => {
    const wardId = wardParam(c.req.param('wardId'));
    const { name } = await parseJsonBody(c, WardNameBodySchema);
    return c.json({ ward: await deps.setup.renameWard(wardId, name, c.get('user').id) } satisfies SetupWardAnswer);
  });

  /** Setup (it_admin): retires a ward; 409 ward_has_active_beds until every bed of it is retired. */
  app.post('/:wardId/retire', itAdmin, async (c) => {
    const wardId = wardParam(c.req.param('wardId'));
    return c.json({ ward: await deps.setup.retireWard(wardId, c.get('user').id, new Date()) } satisfies SetupWardAnswer);
  });

  /** Setup (it_admin): a new bed at the end of the ward's board; 409 when an active bed of the ward has the label. */
  app.post('/:wardId/beds', itAdmin, async (c) => {
    const wardId = wardParam(c.req.param('wardId'));
    const { label } = await parseJsonBody(c, BedLabelBodySchema);
    return c.json({ ward: await deps.setup.addBed(wardId, label, c.get('user').id) } satisfies SetupWardAnswer, 201);
  });

  /** Setup (it_admin): the board order of the ward's beds in use (each named once). */
  app.put('/:wardId/bed-order', itAdmin, async (c) => {
    const wardId = wardParam(c.req.param('wardId'));
    const { bedIds } = await parseJsonBody(c, BedOrderBodySchema);
    return c.json({ ward: await deps.setup.orderBeds(wardId, bedIds, c.get('user').id) } satisfies SetupWardAnswer);
  });

  /** The live ward board: one tile per bed in use, with patient names and scores, so for the ward's own nurses only. */
  app.get('/:wardId/board', requireRole('nurse', 'charge_nurse'), async (c) => {
    const wardId = wardParam(c.req.param('wardId'));
    assertWard(c.get('user'), wardId, 'No such ward');
    const board = await deps.board.board(wardId, new Date());
    if (!board) throw new ApiError(404, 'not_found', 'No such ward');
    return c.json(board satisfies Board);
  });
  return app;
}
