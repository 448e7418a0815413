/**
 * Browser suites of IT staff's pages: sign in as an IT admin, and check a page as a desk and a phone
 * show it (zero axe violations, no sideways scrolling, a screenshot of each under test/e2e/artifacts).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { expectNoAxeViolations } from './axe.ts';
import { keepScreenshot } from './browser.ts';

export const DESK = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

export const pageOverflows = (page: Page) =>
  page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth') as Promise<boolean>;

/** Signs the demo IT admin in (password = username); IT staff land on the Devices page. */
export async function signInAsItAdmin(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username').fill('demo-it');
  await page.getByLabel('Password', { exact: true }).fill('demo-it');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/devices$/, { timeout: 15_000 });
}

/** `ready` waits for what the page shows once resized to the phone; the page is left at desk size. */
export async function checkDeskAndPhone(page: Page, what: string, name: string, ready: () => Promise<unknown>): Promise<void> {
  await expectNoAxeViolations(page, what);
  expect(await pageOverflows(page)).toBe(false);
  await keepScreenshot(page, `${name}-desktop-1440x900`);
  await page.setViewportSize(PHONE);
  await ready();
  expect(await pageOverflows(page)).toBe(false);
  await expectNoAxeViolations(page, `${what} on a phone`);
  await keepScreenshot(page, `${name}-phone-390x844`);
  await page.setViewportSize(DESK);
}
