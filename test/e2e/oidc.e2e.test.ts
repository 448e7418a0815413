/**
 * Single sign-on in a real browser: the nurse clicks "Sign in with the hospital account" on
 * Attune's sign-in page, signs in on the directory's own page (a real OpenID Connect provider,
 * test/support/oidc-directory.ts) and lands on the board she asked for. The directory is on another
 * host name than Attune (127.0.0.1 and localhost), so the redirect back is cross-site as in a
 * hospital: the flow cookie must be SameSite=Lax to come back, and the Strict session cookie set by
 * the callback must work for the dashboard's own requests afterwards. No CSP violation on the way.
 * A refused sign-in shows the reason in words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from '../support/axe.ts';
import { hasChromium, requireChromium } from '../support/browser.ts';
import { setUpBrowserSuite } from '../support/browser-suite.ts';
import { startSsoTestSystem, type DirectoryPerson, type SsoTestSystem, type TestDirectory } from '../support/oidc-directory.ts';

requireChromium('browser e2e tests (single sign-on)');

const accounts: Record<string, DirectoryPerson> = {
  nina: { name: 'Nina Nurse', preferred_username: 'nina', groups: ['attune-test-ward-nurses'] },
  vera: { name: 'Vera Visitor', preferred_username: 'vera', groups: ['all-staff'] },
};

describe.skipIf(!hasChromium)('single sign-on in the browser', () => {
  let sso: SsoTestSystem;
  const suite = setUpBrowserSuite({
    screenshotPrefix: 'sso',
    viewport: { width: 1280, height: 900 },
    startSystem: async () => {
      // The browser reaches Attune as localhost and the directory as 127.0.0.1: two sites.
      sso = await startSsoTestSystem({
        attuneHost: 'localhost',
        roleMap: { 'attune-test-ward-nurses': 'nurse' },
        wardMap: { 'attune-test-ward-nurses': 'Ward 7B' },
      });
      return sso.system;
    },
  });
  const { step } = suite;
  let directory: TestDirectory;
  let publicUrl: string;
  let wardOfNina: string;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    publicUrl = sso.publicUrl;
    const { system, page } = suite;
    // The ward map is read at start and names wards; this one is created with that name afterwards.
    wardOfNina = await system.server.repositories.wards.create('Ward 7B');
    await system.server.repositories.wards.addBed(wardOfNina, 'Bed 1', 1);
    directory = await sso.startDirectory(accounts);
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
    });
  });

  afterAll(async () => {
    await directory?.stop();
  });

  async function signInAtDirectory(login: string): Promise<void> {
    const { page } = suite;
    await page.getByRole('link', { name: 'Sign in with the hospital account' }).waitFor({ timeout: 15_000 });
    await expectNoAxeViolations(page, 'the sign-in page offering the hospital account');
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
    const { page } = suite;
    await step('refused', async () => {
      await page.goto(`${publicUrl}/login`);
      await signInAtDirectory('vera');
      await page.waitForURL(`${publicUrl}/login?error=sso_no_role`);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('none of your directory groups gives an Attune role');
      const me = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
      expect(me).toBe(401);
    });
  });

  it('a nurse signs in with the hospital account and lands on the board she asked for', async () => {
    const { page, browser } = suite;
    await step('board', async () => {
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
