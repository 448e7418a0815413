/** The bedside tablet's API. Pairing is public (rate-limited); everything else needs the tablet session. */
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { CONSENT_LANGUAGES } from '../consent-texts/index.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import type { TabletService } from '../services/tablet.service.ts';
import { endSession, requireTablet, TABLET_COOKIE } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import type { AttemptLimiter } from '../http/rate-limit.ts';
import { parseJsonBody } from '../http/validation.ts';

const PairBody = z.object({ code: z.string().regex(/^\d{6}$/, 'six digits') });
const name = z.string().trim().min(1).max(200);
const ConsentBody = z
  .object({
    camera: z.boolean(),
    wearable: z.boolean(),
    actor: z.enum(['patient', 'proxy']),
    proxyName: name.optional(),
    proxyRelationship: z.string().trim().min(1).max(100).optional(),
    typedName: name,
    language: z.enum(CONSENT_LANGUAGES as [string, ...string[]]),
    textHash: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 hex'),
  })
  .superRefine((b, ctx) => {
    if (b.actor !== 'proxy') return;
    if (!b.proxyName) ctx.addIssue({ code: 'custom', path: ['proxyName'], message: 'required when a representative consents' });
    if (!b.proxyRelationship) {
      ctx.addIssue({ code: 'custom', path: ['proxyRelationship'], message: 'required when a representative consents' });
    }
  });
const StopBody = z.object({ alsoDelete: z.boolean() });

export function tabletRoutes(deps: { tablets: TabletService; users: UserRepository; limiter: AttemptLimiter; secureCookies: boolean }) {
  const app = new Hono<AppEnv>();

  /** Exchange a pairing code for the tablet session cookie. 10 attempts per minute per address. */
  app.post('/pair', async (c) => {
    const address = getConnInfo(c).remote.address ?? 'unknown';
    if (!deps.limiter.allow(address)) throw new ApiError(429, 'rate_limited', 'Too many pairing attempts: wait a minute');
    const body = await parseJsonBody(c, PairBody);
    const { token, state } = await deps.tablets.pair(body.code, new Date());
    // A tablet is never also a staff browser: any staff session on it ends here.
    await endSession(c, deps.users);
    // No expiry: the session lives as long as the stay (discharge ends it) or until unpaired.
    setCookie(c, TABLET_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: deps.secureCookies });
    return c.json({ tablet: state });
  });

  app.use('*', requireTablet(deps.tablets));

  /** Who the tablet is for and the consent in force. */
  app.get('/state', async (c) => c.json(await deps.tablets.readState(c.get('tablet'), new Date())));

  /** The consent text in one language, with the hash the consent must quote. */
  app.get('/texts/:lang', (c) => c.json(deps.tablets.text(c.req.param('lang'))));

  /** Record the choice, confirmed by the typed name. */
  app.post('/consent', async (c) => {
    const body = await parseJsonBody(c, ConsentBody);
    const tablet = await deps.tablets.recordConsent(c.get('tablet'), body as Parameters<TabletService['recordConsent']>[1], new Date());
    return c.json({ tablet });
  });

  /** Stop everything now; optionally erase what was recorded. */
  app.post('/stop', async (c) => {
    const body = await parseJsonBody(c, StopBody);
    return c.json(await deps.tablets.stop(c.get('tablet'), body.alsoDelete, new Date()));
  });

  /** Forget this tablet: the session ends, the cookie is cleared. */
  app.post('/unpair', async (c) => {
    await deps.tablets.unpair(c.get('tablet'));
    deleteCookie(c, TABLET_COOKIE, { path: '/' });
    return c.body(null, 204);
  });
  return app;
}
