import { Hono } from 'hono';
import { z } from 'zod';
import type { WardRepository } from '../repositories/ward.repository.ts';
import type { BoardService } from '../services/board.service.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { parseParam } from '../http/validation.ts';

export function wardRoutes(deps: { wards: WardRepository; board: BoardService }) {
  const app = new Hono<AppEnv>();
  app.use(requireRole('nurse', 'charge_nurse', 'it_admin'));

  /** Wards with their bed counts. */
  app.get('/', async (c) => c.json({ wards: await deps.wards.list() }));

  /** The live ward board: one tile per bed. */
  app.get('/:wardId/board', async (c) => {
    const wardId = parseParam(z.uuid(), c.req.param('wardId'), 'ward');
    const board = await deps.board.board(wardId, new Date());
    if (!board) throw new ApiError(404, 'not_found', 'No such ward');
    return c.json(board);
  });
  return app;
}
