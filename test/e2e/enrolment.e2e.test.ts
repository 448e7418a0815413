/**
 * Browser end-to-end: an IT admin enrols a bed's agent (token shown once as text, QR code and
 * command, open tokens listed and revoked, "Replace this bedside machine" for a bed's device), and
 * on a device's credentials page rotates its secret and decommissions it, each confirmed in words.
 * Zero axe violations on every page and dialog; desktop and phone screenshots; the phone never
 * scrolls sideways.
 */
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from '../support/axe.ts';
import { hasChromium, requireChromium } from '../support/browser.ts';
import { setUpBrowserSuite } from '../support/browser-suite.ts';
import { bedWithoutDevice } from '../support/enrolment.ts';
import { checkDeskAndPhone, DESK, signInAsItAdmin } from '../support/it-admin-pages.ts';

requireChromium('browser e2e tests (agent enrolment)');

const TOKEN = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

describe.skipIf(!hasChromium)('agent enrolment in the browser', () => {
  const suite = setUpBrowserSuite({ screenshotPrefix: 'enrolment', viewport: DESK, startTimeoutMs: 300_000 });
  const { step } = suite;

  /** Desktop and phone: no axe violation, no sideways scrolling, a screenshot of each. */
  const screens = (what: string, name: string, ready: () => Promise<unknown>) => checkDeskAndPhone(suite.page, what, name, ready);

  it('an IT admin makes a token for a bed, sees it once as text, QR and command, and revokes it', async () => {
    const { page, system, browser } = suite;
    const bed = await bedWithoutDevice(system, 'Bed 9', 9);

    await step('open', async () => {
      await signInAsItAdmin(page, system.baseUrl);
      await page.goto(`${system.baseUrl}/setup/beds/${bed.bedId}/enrol`);
      await page.getByRole('heading', { name: /Enrol a bedside agent: Bed 9/, level: 1 }).waitFor();
      expect(await page.getByText('No device is enrolled on this bed yet.').count()).toBe(1);
      await expectNoAxeViolations(page, 'the enrol page before a token');
    });

    const token = await step('create', async () => {
      await page.getByTestId('create-token').click();
      const shown = page.getByTestId('issued-token');
      await shown.waitFor();
      const text = (await page.getByTestId('enrolment-token').textContent())!.trim();
      expect(text).toMatch(TOKEN);
      expect(await page.getByTestId('enrolment-qr').isVisible()).toBe(true);
      expect(await page.getByTestId('enrolment-qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
      expect((await page.getByTestId('enrolment-command').textContent())!.trim()).toBe(
        `attune-agent enroll --server ${new URL(system.baseUrl).origin} --token ${text}`,
      );
      expect(await shown.textContent()).toMatch(/Shown only now[\s\S]*stops working in 24 hours/);
      await expect.poll(() => page.getByTestId('open-tokens').locator('li').count()).toBe(1);
      await screens('the enrol page showing a token', 'enrolment-token', () => page.getByTestId('enrolment-token').waitFor());
      return text;
    });

    await step('revoke', async () => {
      await page
        .getByTestId('open-tokens')
        .getByRole('button', { name: /Revoke/ })
        .click();
      await expect.poll(() => page.getByText('No open tokens.').count()).toBe(1);
      await expect.poll(() => page.getByTestId('issued-token').count()).toBe(0);
      await expectNoAxeViolations(page, 'the enrol page after revoking');
      const res = await fetch(`${system.baseUrl}/api/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      expect(res.status).toBe(401);
    });

    await step('replace', async () => {
      const device = system.devices[1]!;
      await page.goto(`${system.baseUrl}/setup/beds/${device.bedId}/enrol`);
      await page.getByRole('button', { name: `Replace this bedside machine (${device.deviceId})` }).click();
      await page.getByTestId('issued-token').waitFor();
      expect(await page.getByTestId('issued-token').textContent()).toContain(`to move ${device.deviceId} to a new machine`);
      expect(await page.getByTestId('open-tokens').textContent()).toContain(`Re-enrols ${device.deviceId}`);
      await expectNoAxeViolations(page, 'the enrol page with a replacement token');
    });
    expect(browser.pageErrors).toEqual([]);
  }, 240_000);

  it('an IT admin rotates a device’s credentials and decommissions it, each confirmed in words', async () => {
    const { page, system, browser } = suite;
    const device = system.devices[0]!;

    await step('credentials', async () => {
      await page.goto(`${system.baseUrl}/devices/${device.deviceId}/credentials`);
      await page.getByRole('heading', { name: `Credentials of ${device.deviceId}`, level: 1 }).waitFor();
      await page.getByTestId('credential-facts').waitFor();
      await screens('the credentials page', 'credentials', () => page.getByTestId('credential-facts').waitFor());
    });

    await step('rotate', async () => {
      await page.getByRole('button', { name: 'Rotate credentials' }).click();
      const confirm = page.getByTestId('credentials-confirm');
      await expect.poll(() => confirm.textContent()).toMatch(/disconnected now and cannot reconnect until you re-enrol/);
      await expectNoAxeViolations(page, 'the rotate confirmation');
      await confirm.getByRole('button', { name: 'Rotate credentials' }).click();
      await page.getByTestId('issued-token').waitFor();
      expect((await page.getByTestId('enrolment-token').textContent())!.trim()).toMatch(TOKEN);
      expect(await page.getByTestId('open-tokens').textContent()).toContain(`Re-enrols ${device.deviceId}`);
      await expectNoAxeViolations(page, 'the credentials page with a re-enrolment token');
    });

    await step('decommission', async () => {
      await page.getByRole('button', { name: 'Decommission this device' }).click();
      const confirm = page.getByTestId('credentials-confirm');
      await expect.poll(() => confirm.textContent()).toMatch(/can never connect again[\s\S]*This cannot be undone/);
      await expectNoAxeViolations(page, 'the decommission confirmation');
      await confirm.getByRole('button', { name: 'Decommission', exact: true }).click();
      await expect.poll(() => page.getByRole('status').filter({ hasText: 'decommissioned' }).count()).toBe(1);
      expect(await page.getByTestId('credential-facts').textContent()).toContain('Decommissioned');
      await screens('the credentials page of a decommissioned device', 'credentials-decommissioned', () =>
        page.getByTestId('credential-facts').waitFor(),
      );
    });
    expect(browser.pageErrors).toEqual([]);
  }, 240_000);
});
