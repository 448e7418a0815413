import { describe, expect, it } from 'vitest';
import { createLogger } from '../platform/logger.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import { oidcRoutes } from './oidc.routes.ts';

describe('single sign-on routes when it is not configured', () => {
  const app = oidcRoutes({
    singleSignOn: null,
    // Never reached without single sign-on: any call would fail the test.
    users: {} as UserRepository,
    logger: createLogger('error'),
    sessionTtlHours: 12,
    secureCookies: false,
  });

  it('tells the sign-in page that SSO is not offered', async () => {
    const res = await app.request('/options');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sso: { enabled: false } });
  });

  it('has no flow routes', async () => {
    expect((await app.request('/oidc/start')).status).toBe(404);
    expect((await app.request('/oidc/callback?code=x&state=y')).status).toBe(404);
  });
});
