/**
 * Browser end-to-end for ward and bed setup as an IT admin: from the Setup link, add a ward and
 * two beds, rename one, move it up, retire the other after a confirmation in words; retiring a bed
 * with a patient in it is refused and the dialog says why in the server's words; each bed offers
 * "Enrol an agent". Axe finds nothing on the page and its dialogs, and the page fits a desktop
 * (1440x900) and a phone (390x844) without sideways scrolling; screenshots of both are kept.
 *
 * Runs the built dashboard served by the real server, in the system Chromium (skipped locally
 * without /usr/bin/chromium, failing under CI).
 */
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from '../support/axe.ts';
import { hasChromium, keepScreenshot, requireChromium } from '../support/browser.ts';
import { setUpBrowserSuite } from '../support/browser-suite.ts';
import { DESK, pageOverflows, PHONE, signInAsItAdmin } from '../support/it-admin-pages.ts';

requireChromium('browser e2e tests (ward and bed setup)');

describe.skipIf(!hasChromium)('ward and bed setup in the browser', () => {
  const suite = setUpBrowserSuite({ screenshotPrefix: 'setup', viewport: DESK, startTimeoutMs: 300_000 });
  const { step } = suite;

  const message = () => suite.page.getByTestId('setup-message').textContent();
  /** Types into the open name dialog and submits it. */
  const submitName = async (value: string, button: string) => {
    const dialog = suite.page.getByTestId('setup-name-dialog');
    await dialog.getByRole('textbox').fill(value);
    await dialog.getByRole('button', { name: button }).click();
  };
  const ward = (name: string) => suite.page.getByTestId(`setup-ward-${name}`);

  it('an IT admin sets up a ward with beds, renames and retires one, and is told why a bed with a patient stays', async () => {
    const { page, system, browser } = suite;

    await step('open', async () => {
      await signInAsItAdmin(page, system.baseUrl);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Setup' }).click();
      await page.waitForURL(/\/setup$/);
      await page.getByRole('heading', { name: 'Wards and beds', level: 1 }).waitFor();
    });

    await step('add-ward-and-beds', async () => {
      await page.getByRole('button', { name: 'Add a ward' }).click();
      await submitName('', 'Add ward');
      await expect.poll(() => page.getByTestId('setup-name-dialog').getByRole('alert').textContent()).toMatch(/Enter the ward name/);
      await expectNoAxeViolations(page, 'the add-a-ward dialog refusing an empty name');
      await submitName('E2E Ward', 'Add ward');
      await expect.poll(message).toMatch(/Added E2E Ward/);
      // Focus went to the announcement, not lost with the dialog.
      expect(await page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('setup-message');

      for (const label of ['Bed A', 'Bed B']) {
        await ward('E2E Ward').getByRole('button', { name: 'Add a bed to E2E Ward' }).click();
        await submitName(label, 'Add bed');
        await expect.poll(message).toMatch(new RegExp(`Added ${label} to E2E Ward`));
      }
      // A second "Bed A" is refused in the server's words, in the dialog.
      await ward('E2E Ward').getByRole('button', { name: 'Add a bed to E2E Ward' }).click();
      await submitName('bed a', 'Add bed');
      await expect
        .poll(() => page.getByTestId('setup-name-dialog').getByRole('alert').textContent())
        .toMatch(/E2E Ward already has a bed labelled “bed a”: choose another label/);
      await page.getByTestId('setup-name-dialog').getByRole('button', { name: 'Cancel' }).click();

      const rows = ward('E2E Ward').locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      expect(await ward('E2E Ward').getByRole('link', { name: 'Enrol an agent on Bed A' }).getAttribute('href')).toMatch(
        /^\/setup\/beds\/[0-9a-f-]{36}\/enrol$/,
      );
    });

    await step('rename-move-retire', async () => {
      await ward('E2E Ward').getByRole('button', { name: 'Rename Bed B' }).click();
      await submitName('Window bed', 'Save label');
      await expect.poll(message).toMatch(/Bed B on E2E Ward is now called Window bed/);
      await ward('E2E Ward').getByRole('button', { name: 'Move up Window bed' }).click();
      await expect.poll(message).toMatch(/Window bed moved up on E2E Ward/);
      await expect.poll(() => ward('E2E Ward').locator('tbody th[scope="row"]').allTextContents()).toEqual(['Window bed', 'Bed A']);

      await ward('E2E Ward').getByRole('button', { name: 'Retire Bed A' }).click();
      const confirm = page.getByTestId('setup-retire-dialog');
      await confirm.getByText('leaves the ward board and can no longer take a patient').waitFor();
      await expectNoAxeViolations(page, 'the retire-a-bed confirmation');
      await confirm.getByRole('button', { name: 'Retire bed' }).click();
      await expect.poll(message).toMatch(/Bed A on E2E Ward is retired/);
      await expect.poll(() => ward('E2E Ward').textContent()).toMatch(/Retired beds \(their history stays readable\): Bed A/);
      await expect.poll(() => ward('E2E Ward').locator('tbody tr').count()).toBe(1);
    });

    await step('refusal', async () => {
      // The test system's ward: its first bed has a patient in it.
      const seeded = (await page.locator('section[data-testid^="setup-ward-Test ward"]').first().getAttribute('data-testid'))!;
      const wardName = seeded.replace('setup-ward-', '');
      await ward(wardName).getByRole('button', { name: 'Retire Bed 1' }).click();
      const confirm = page.getByTestId('setup-retire-dialog');
      await confirm.getByRole('button', { name: 'Retire bed' }).click();
      await expect
        .poll(() => confirm.getByTestId('setup-refusal').textContent())
        .toMatch(/Bed 1 on .+ has a patient in it: a charge nurse must discharge or transfer the patient/);
      await expectNoAxeViolations(page, 'a refused bed retirement');
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => ward(wardName).locator('tbody tr').count()).toBe(system.devices.length);
    });

    await step('screens', async () => {
      await page.evaluate('window.scrollTo(0, 0)');
      await expectNoAxeViolations(page, 'the Setup page');
      expect(await pageOverflows(page)).toBe(false);
      await keepScreenshot(page, 'setup-desktop-1440x900');
      await page.setViewportSize(PHONE);
      await page.reload();
      await ward('E2E Ward').waitFor();
      expect(await pageOverflows(page)).toBe(false);
      await expectNoAxeViolations(page, 'the Setup page on a phone');
      await keepScreenshot(page, 'setup-phone-390x844');
      await ward('E2E Ward').getByRole('button', { name: 'Rename ward E2E Ward' }).click();
      expect(await pageOverflows(page)).toBe(false);
      await expectNoAxeViolations(page, 'the rename-a-ward dialog on a phone');
      await page.getByTestId('setup-name-dialog').getByRole('button', { name: 'Cancel' }).click();
      await page.setViewportSize(DESK);
    });
    expect(browser.pageErrors).toEqual([]);
  }, 240_000);
});
