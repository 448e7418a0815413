/**
 * Agent enrolment over HTTP (docs/api.md "Enrolling bedside agents"): IT's tokens per bed, and the
 * public exchange of a token for a device identity that `attune-agent enroll` calls.
 */
import { Hono, type Context } from 'hono';
import QRCode from 'qrcode';
import { z } from 'zod';
import {
  CreateEnrolmentTokenBodySchema,
  EnrolBodySchema,
  type BedEnrolment,
  type DeviceIdentity,
  type IssuedEnrolmentToken,
  type EnrolmentTokenSummary,
} from '@attune/protocol/api';
import type { Logger } from '../platform/logger.ts';
import type { EnrolmentService } from '../services/enrolment.service.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { clientAddress, refuseOverAttemptLimit, type AttemptLimiter } from '../http/rate-limit.ts';
import { parseJsonBody, parseParam } from '../http/validation.ts';

export interface EnrolmentRouteDeps {
  service: EnrolmentService;
  /** The dashboard's public origin (PUBLIC_URL); null: the origin each request was addressed to. */
  publicOrigin: string | null;
}

/** The server's address as the caller reached it (or PUBLIC_URL): what the agent is told to use. */
export const serverOrigin = (c: Context, publicOrigin: string | null) => new URL(publicOrigin ?? new URL(c.req.url).origin);

/** A token shown once: its text, a QR code of it and the command to type on the bedside machine. */
export async function issuedToken(
  c: Context,
  publicOrigin: string | null,
  issued: { token: string; summary: EnrolmentTokenSummary },
): Promise<IssuedEnrolmentToken> {
  const command = `attune-agent enroll --server ${serverOrigin(c, publicOrigin).origin} --token ${issued.token}`;
  const qrSvg = await QRCode.toString(issued.token, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return { token: issued.token, qrSvg, command, summary: issued.summary };
}

/** IT's side: a bed's enrolment state and tokens (it_admin). Mounted under /api. */
export function enrolmentTokenRoutes(deps: EnrolmentRouteDeps) {
  const app = new Hono<AppEnv>();
  const bedId = (c: Context) => parseParam(z.uuid(), c.req.param('bedId'), 'bed');

  /** The bed, its devices and its open tokens. */
  app.get('/beds/:bedId/enrolment-tokens', requireRole('it_admin'), async (c) =>
    c.json((await deps.service.bedEnrolment(bedId(c), new Date())) satisfies BedEnrolment),
  );

  /** A single-use token for the bed (or to re-enrol one of its devices); revokes the bed's earlier open ones. */
  app.post('/beds/:bedId/enrolment-tokens', requireRole('it_admin'), async (c) => {
    const id = bedId(c);
    const body = await parseJsonBody(c, CreateEnrolmentTokenBodySchema);
    const issued = await deps.service.createToken(id, body.deviceId ?? null, c.get('user').id, new Date());
    return c.json((await issuedToken(c, deps.publicOrigin, issued)) satisfies IssuedEnrolmentToken, 201);
  });

  app.post('/enrolment-tokens/:tokenId/revoke', requireRole('it_admin'), async (c) => {
    const tokenId = parseParam(z.uuid(), c.req.param('tokenId'), 'open enrolment token');
    await deps.service.revokeToken(tokenId, c.get('user').id, new Date());
    return c.body(null, 204);
  });
  return app;
}

/** The agent's side (no session): token in, device identity out, limited per client address. Mounted at /api/enrol. */
export function enrolRoutes(deps: EnrolmentRouteDeps & { limiter: AttemptLimiter; logger: Logger }) {
  const app = new Hono<AppEnv>();
  app.post('/', async (c) => {
    const address = clientAddress(c);
    refuseOverAttemptLimit(c, deps.limiter, address, Date.now(), 'Too many enrolment attempts from this address: wait a minute');
    const body = await parseJsonBody(c, EnrolBodySchema);
    const identity = await deps.service.enrol(body, serverOrigin(c, deps.publicOrigin), new Date());
    if (!identity) {
      deps.logger.warn('enrolment refused: no open token matches', { address, hostname: body.hostname ?? null });
      throw new ApiError(
        401,
        'invalid_credentials',
        'This enrolment token is not valid: it was mistyped, already used, revoked or has expired. Ask IT for a new one.',
      );
    }
    return c.json(identity satisfies DeviceIdentity);
  });
  return app;
}
