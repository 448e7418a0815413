/** The bedside tablet's API. The ward list and pairing are public (pairing is limited); everything else needs the tablet session. */
import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import {
  requireProxyDetails,
  TabletConsentBodyFields,
  TabletPairBodySchema,
  TabletStopBodySchema,
  type ConsentTexts,
  type TabletAnswer,
  type TabletState,
  type TabletStopResult,
  type TabletWardList,
} from '@attune/protocol/api';
import { CONSENT_LANGUAGES } from '../consent-texts/index.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import { DomainError } from '../domain/errors.ts';
import type { TabletService } from '../services/tablet.service.ts';
import { endSession, requireTablet, TABLET_COOKIE } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { clientAddress, refuseOverAttemptLimit, setRetryAfter, type AttemptLimiter, type WardPairingBudget } from '../http/rate-limit.ts';
import { parseJsonBody } from '../http/validation.ts';

/** The contract's consent body, its language narrowed to the texts this server has. */
const ConsentBody = TabletConsentBodyFields.extend({ language: z.enum(CONSENT_LANGUAGES as [string, ...string[]]) }).superRefine(
  requireProxyDetails,
);

export function tabletRoutes(deps: {
  tablets: TabletService;
  users: UserRepository;
  /** Attempts per address (per minute). */
  limiter: AttemptLimiter;
  /** Failed codes per ward (sliding window); a spent budget pauses pairing on the ward. */
  wardBudget: WardPairingBudget;
  logger: Logger;
  metrics: Metrics;
  secureCookies: boolean;
}) {
  const app = new Hono<AppEnv>();

  /** The wards a tablet can be on (id and name only), for the tablet's one-time "which ward" choice. */
  app.get('/wards', async (c) => c.json({ wards: await deps.tablets.wards() } satisfies TabletWardList));

  /**
   * Exchange a ward's pairing code for the tablet session cookie. Limited per address (10 per
   * minute) and per ward (wrong codes in 10 minutes; then the ward pauses for everyone):
   * docs/tablet-pairing.md.
   */
  app.post('/pair', async (c) => {
    const address = clientAddress(c);
    const now = Date.now();
    refuseOverAttemptLimit(c, deps.limiter, address, now, 'Too many pairing attempts: wait a minute');
    const body = await parseJsonBody(c, TabletPairBodySchema);
    // A ward that does not exist is answered like a wrong code and counted per address only, so
    // made-up ward ids neither reveal anything nor grow the per-ward memory.
    const wardId = await deps.tablets.canonicalWardId(body.wardId);
    if (!wardId) return pairOrFail(c, null, body.code);

    const attempt = deps.wardBudget.begin(wardId, now);
    if (attempt.kind === 'paused') {
      const retryAfterS = setRetryAfter(c, attempt.retryAfterMs);
      throw new ApiError(
        429,
        'pairing_paused',
        `Pairing on this ward is paused for ${Math.ceil(retryAfterS / 60)} minutes after too many wrong codes; this has been reported`,
      );
    }
    try {
      const response = await pairOrFail(c, wardId, body.code);
      deps.wardBudget.succeeded(wardId, attempt.ticket);
      return response;
    } catch (error) {
      // Only a wrong code spends the ward's budget; a failure of ours (database down) gives it back.
      if (!(error instanceof DomainError && error.code === 'validation_failed')) {
        deps.wardBudget.succeeded(wardId, attempt.ticket);
        throw error;
      }
      const pause = deps.wardBudget.failed(wardId, Date.now());
      if (pause) {
        deps.metrics.tabletPairingPaused.inc();
        deps.logger.warn('tablet pairing paused on a ward after too many wrong codes', {
          wardId,
          pausedUntil: new Date(pause.pausedUntilMs).toISOString(),
          failedCodes: pause.failedCodes,
        });
        await deps.tablets.recordPairingPaused(wardId, new Date(pause.pausedUntilMs), pause.failedCodes);
      }
      throw error;
    }
  });

  async function pairOrFail(c: Context<AppEnv>, wardId: string | null, code: string) {
    const { token, state } = await deps.tablets.pair(wardId, code, new Date());
    // A tablet is never also a staff browser: any staff session on it ends here.
    await endSession(c, deps.users);
    // No expiry: the session lives as long as the stay (discharge ends it) or until unpaired.
    setCookie(c, TABLET_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: deps.secureCookies });
    return c.json({ tablet: state } satisfies TabletAnswer);
  }

  app.use('*', requireTablet(deps.tablets));

  /** Who the tablet is for and the consent in force. */
  app.get('/state', async (c) => c.json((await deps.tablets.readState(c.get('tablet'), new Date())) satisfies TabletState));

  /** The consent text in one language, with the hash the consent must quote. */
  app.get('/texts/:lang', (c) => c.json(deps.tablets.text(c.req.param('lang')) satisfies ConsentTexts));

  /** Record the choice, confirmed by the typed name. */
  app.post('/consent', async (c) => {
    const body = await parseJsonBody(c, ConsentBody);
    const tablet = await deps.tablets.recordConsent(c.get('tablet'), body as Parameters<TabletService['recordConsent']>[1], new Date());
    return c.json({ tablet } satisfies TabletAnswer);
  });

  /** Stop everything now; optionally erase what was recorded. */
  app.post('/stop', async (c) => {
    const body = await parseJsonBody(c, TabletStopBodySchema);
    return c.json((await deps.tablets.stop(c.get('tablet'), body.alsoDelete, new Date())) satisfies TabletStopResult);
  });

  /** Forget this tablet: the session ends, the cookie is cleared. */
  app.post('/unpair', async (c) => {
    await deps.tablets.unpair(c.get('tablet'));
    deleteCookie(c, TABLET_COOKIE, { path: '/' });
    return c.body(null, 204);
  });
  return app;
}
