/** What staff do on the ward's board around a tablet: find a bed's tile, show its pairing code, close a dialog. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { expectNoAxeViolations } from '../../support/axe.ts';
import type { TestDevice } from '../../support/system.ts';

/** A nurse's or charge nurse's board: the ward's bed tile of a device. */
export const tile = (page: Page, d: TestDevice) => page.locator(`article[data-bed-id="${d.bedId}"]`);

/** A nurse opens "Pair tablet" on a bed tile; returns the code shown in the dialog. */
export async function pairingCode(page: Page, d: TestDevice): Promise<string> {
  await tile(page, d)
    .getByRole('button', { name: /Pair tablet/ })
    .click();
  const dialog = page.locator('dialog[open][data-testid="pair-dialog"]');
  await dialog.getByTestId('pair-code').waitFor({ timeout: 10_000 });
  const code = (await dialog.getByTestId('pair-code').getAttribute('data-code')) ?? '';
  expect(code).toMatch(/^\d{6}$/);
  // The QR is an image with a text alternative; the countdown runs.
  expect(await dialog.getByRole('img', { name: /QR code/ }).count()).toBe(1);
  expect(await dialog.getByTestId('pair-countdown').textContent()).toMatch(/^\d+:\d\d$/);
  await expectNoAxeViolations(page, 'the pairing dialog');
  return code;
}

export async function closeDialog(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page
    .locator('dialog[open]')
    .waitFor({ state: 'detached', timeout: 5000 })
    .catch(() => {});
}
