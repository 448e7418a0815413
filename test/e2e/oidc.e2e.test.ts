/**
 * Single sign-on in a real browser: the nurse clicks "Sign in with the hospital account" on
 * Attune's sign-in page, signs in on the directory's own page (a real OpenID Connect provider,
 * test/support/oidc-directory.ts) and lands on the board she asked for. The directory is on another
 * host name than Attune (127.0.0.1 and localhost), so the redirect back is cross-site as in a
 * hospital: the flow cookie must be SameSite=Lax to come back, and the Strict session cookie set by
 * the callback must work for the dashboard's own requests afterwards. No CSP violation on the way.
 * A refused sign-in shows the reason in words.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, openBrowser, type BrowserSession, requireChromium, screenshotOnFailure } from '../support/browser.ts';
import { ensureDashboardBuilt } from '../support/dashboard-build.ts';
import {
  freePort,
  startTestDirectory,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  type DirectoryPerson,
  type TestDirectory,
} from '../support/oidc-directory.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

requireChromium('browser e2e tests (single sign-on)');

const accounts: Record<string, DirectoryPerson> = {
  nina: { name: 'Nina Nurse', preferred_username: 'nina', groups: ['attune-test-ward-nurses'] },
  vera: { name: 'Vera Visitor', preferred_username: 'vera', groups: ['all-staff'] },
};

describe.skipIf(!hasChromium)('single sign-on in the browser', () => {
  let system: TestSystem;
  let directory: TestDirectory;
  let browser: BrowserSession;
  let page: Page;
  let publicUrl: string;
  let wardOfNina: string;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    await ensureDashboardBuilt();
    const attunePort = await freePort();
    const directoryPort = await freePort();
    // The browser reaches Attune as localhost and the directory as 127.0.0.1: two sites.
    publicUrl = `http://localhost:${attunePort}`;
    system = await startTestSystem({
      env: {
        PORT: String(attunePort),
        PUBLIC_URL: publicUrl,
        OIDC_ISSUER: `http://127.0.0.1:${directoryPort}`,
        OIDC_CLIENT_ID: TEST_CLIENT_ID,
        OIDC_CLIENT_SECRET: TEST_CLIENT_SECRET,
        OIDC_ROLE_MAP: JSON.stringify({ 'attune-test-ward-nurses': 'nurse' }),
        OIDC_WARD_MAP: JSON.stringify({ 'attune-test-ward-nurses': 'Ward 7B' }),
      },
    });
    // The ward map is read at start and names wards; this one is created with that name afterwards.
    wardOfNina = await system.server.repositories.wards.create('Ward 7B');
    await system.server.repositories.wards.addBed(wardOfNina, 'Bed 1', 1);
    directory = await startTestDirectory({ port: directoryPort, redirectUri: `${publicUrl}/api/auth/oidc/callback`, accounts });
    browser = await openBrowser({ width: 1280, height: 900 });
    page = browser.page;
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await directory?.stop();
    await system?.stop();
  });

  async function signInAtDirectory(login: string): Promise<void> {
    await page.getByRole('link', { name: 'Sign in with the hospital account' }).click();
    await page.waitForURL((url) => url.origin === directory.issuer, { timeout: 15_000 });
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    // The development provider asks for consent once per client.
    const consent = page.getByRole('button', { name: 'Continue' });
    await Promise.race([
      consent.waitFor({ timeout: 15_000 }).then(() => consent.click()),
      page.waitForURL((url) => url.origin === publicUrl, { timeout: 15_000 }),
    ]);
    await page.waitForURL((url) => url.origin === publicUrl, { timeout: 15_000 });
  }

  it('a refused sign-in says why on the sign-in page, and opens nothing', async () => {
    await screenshotOnFailure(page, 'sso-refused', async () => {
      await page.goto(`${publicUrl}/login`);
      await signInAtDirectory('vera');
      await page.waitForURL(`${publicUrl}/login?error=sso_no_role`);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('none of your directory groups gives an Attune role');
      const me = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
      expect(me).toBe(401);
    });
  });

  it('a nurse signs in with the hospital account and lands on the board she asked for', async () => {
    await screenshotOnFailure(page, 'sso-board', async () => {
      // Another person at this computer: the directory would otherwise sign the previous one in again
      // without asking (its own session; ending it is the directory's sign-out, docs/single-sign-on.md).
      await browser.context.clearCookies();
      await page.goto(`${publicUrl}/login?next=${encodeURIComponent(`/wards/${wardOfNina}`)}`);
      await signInAtDirectory('nina');
      await page.waitForURL(`${publicUrl}/wards/${wardOfNina}`, { timeout: 15_000 });
      // The board's tiles come from the API with the session cookie the callback set.
      await page.locator('article[data-bed-id]').first().waitFor({ timeout: 15_000 });
      const me = await page.evaluate(
        async () => (await (await fetch('/api/auth/me')).json()) as { user: { role: string; wardIds: string[] } },
      );
      expect(me.user).toMatchObject({ role: 'nurse', wardIds: [wardOfNina] });
      expect(cspViolations).toEqual([]);
    });
  });
});
