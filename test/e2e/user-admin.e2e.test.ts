/**
 * Browser end-to-end: an IT admin adds a nurse on the Users page and reads the one-time password
 * off the screen; the nurse signs in with it, is asked to choose a new password before anything
 * else, and then reaches their ward's board; the admin deactivates them with a confirmation.
 *
 * Runs the built dashboard served by the real server, in the system Chromium. Without
 * /usr/bin/chromium the suite is skipped locally and fails under CI.
 */
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from '../support/axe.ts';
import { hasChromium, requireChromium } from '../support/browser.ts';
import { setUpBrowserSuite } from '../support/browser-suite.ts';

requireChromium('browser e2e tests (user administration)');

describe.skipIf(!hasChromium)('user administration in the browser', () => {
  const suite = setUpBrowserSuite({ screenshotPrefix: 'users', viewport: { width: 1440, height: 1000 }, startTimeoutMs: 300_000 });
  const { step } = suite;

  const signIn = async (username: string, password: string) => {
    const { page, system } = suite;
    await page.goto(`${system.baseUrl}/login`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('an IT admin adds a nurse, who must choose a new password and then sees their ward', async () => {
    const { page, system } = suite;
    const oneTimePassword = await step('create', async () => {
      await signIn('demo-it', 'demo-it');
      await page.waitForURL(/\/devices$/, { timeout: 15_000 });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
      await page.waitForURL(/\/users$/);
      await page.getByTestId('user-row-demo-nurse').waitFor();

      await page.getByRole('button', { name: 'Add a user' }).click();
      const dialog = page.getByTestId('create-user-dialog');
      await dialog.getByLabel('Username').fill('e2e.nurse');
      await dialog.getByLabel('Name shown in Attune').fill('Eve Twoey');
      await dialog.getByLabel('Role').selectOption('nurse');
      // The test system has one ward: it is ticked already; tick it anyway if not.
      const ward = dialog.getByRole('checkbox').first();
      if (!(await ward.isChecked())) await ward.check();
      await expectNoAxeViolations(page, 'the add-a-user dialog');
      await dialog.getByRole('button', { name: 'Add user' }).click();

      const shown = page.getByTestId('one-time-password-dialog');
      await expect.poll(() => shown.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/shown only now/);
      const password = (await shown.getByTestId('one-time-password').textContent())!.trim();
      expect(password).toMatch(/^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/);
      await expectNoAxeViolations(page, 'the one-time password dialog');
      await shown.getByRole('button', { name: 'Done' }).last().click();
      await expect.poll(() => page.getByTestId('users-message').textContent()).toMatch(/Created nurse Eve Twoey \(e2e\.nurse\)/);
      await expect.poll(() => page.getByTestId('user-row-e2e.nurse').textContent()).toMatch(/Must choose a new password/);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/login/);
      return password;
    });

    await step('change-password', async () => {
      await signIn('e2e.nurse', oneTimePassword);
      const form = page.getByTestId('change-password');
      await form.getByRole('heading', { name: 'Choose a new password' }).waitFor({ timeout: 10_000 });
      // Nothing else opens meanwhile: the staff header is not shown.
      expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
      await form.getByLabel('New password', { exact: true }).fill('short');
      await form.getByLabel('New password again').fill('short');
      await form.getByRole('button', { name: 'Save and continue' }).click();
      await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/at least 12 characters/);
      await expectNoAxeViolations(page, 'the choose-a-new-password form refusing a short password');
      await form.getByLabel('New password', { exact: true }).fill('quiet night on the ward');
      await form.getByLabel('New password again').fill('quiet night on the ward');
      await form.getByRole('button', { name: 'Save and continue' }).click();
      await page.waitForURL(new RegExp(`/wards/${system.wardId}$`), { timeout: 15_000 });
      await page.locator('article[data-bed-id]').first().waitFor({ timeout: 15_000 });
      await expectNoAxeViolations(page, "the new nurse's first board");
    });
  }, 180_000);

  it('an IT admin deactivates a user after confirming', async () => {
    const { page, system, browser } = suite;
    await step('deactivate', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/login/);
      await signIn('demo-it', 'demo-it');
      await page.waitForURL(/\/devices$/, { timeout: 15_000 });
      await page.goto(`${system.baseUrl}/users`);
      const row = page.getByTestId('user-row-e2e.nurse');
      await row.getByRole('button', { name: /Deactivate/ }).click();
      const confirm = page.getByTestId('confirm-user-dialog');
      await confirm.getByText('signed out everywhere at once').waitFor();
      await expectNoAxeViolations(page, 'the deactivation confirmation');
      await confirm.getByRole('button', { name: 'Deactivate' }).click();
      await expect.poll(() => page.getByTestId('users-message').textContent()).toMatch(/is deactivated/);
      await expect.poll(() => row.textContent()).toMatch(/Deactivated/);
      // Focus went to the announcement, not lost with the dialog.
      expect(await page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('users-message');
    });
    expect(browser.pageErrors).toEqual([]);
  }, 120_000);
});
