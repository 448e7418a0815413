import { Hono } from 'hono';
import { z } from 'zod';
import type { Board, WardList } from '@attune/protocol/api';
import type { WardRepository } from '../repositories/ward.repository.ts';
import type { BoardService } from '../services/board.service.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { assertWard } from '../http/ward-access.ts';
import { parseParam } from '../http/validation.ts';

export function wardRoutes(deps: { wards: WardRepository; board: BoardService }) {
  const app = new Hono<AppEnv>();

  /**
   * Wards with their bed counts: a nurse's or charge nurse's own wards; every ward for it_admin,
   * whose device views name wards and beds (never patients).
   */
  app.get('/', requireRole('nurse', 'charge_nurse', 'it_admin'), async (c) => {
    const user = c.get('user');
    const wards = await deps.wards.list();
    return c.json({ wards: user.role === 'it_admin' ? wards : wards.filter((w) => user.wardIds.includes(w.id)) } satisfies WardList);
  });

  /** The live ward board: one tile per bed, with patient names and scores, so for the ward's own nurses only. */
  app.get('/:wardId/board', requireRole('nurse', 'charge_nurse'), async (c) => {
    const wardId = parseParam(z.uuid(), c.req.param('wardId'), 'ward');
    assertWard(c.get('user'), wardId, 'No such ward');
    const board = await deps.board.board(wardId, new Date());
    if (!board) throw new ApiError(404, 'not_found', 'No such ward');
    return c.json(board satisfies Board);
  });
  return app;
}
