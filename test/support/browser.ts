/**
 * The system Chromium for browser end-to-end tests (never a downloaded browser). Without it the
 * tests skip loudly on a developer machine and fail under CI.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Flags for a headless run on a closed network; every launch gets a fresh profile. */
export const CHROMIUM_LAUNCH = {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** A Chromium on a fresh profile with one page. */
export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page, in order: a suite ends by expecting none. */
  pageErrors: string[];
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

export async function openBrowser(viewport: { width: number; height: number }): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'attune-e2e-chromium-'));
  const removeProfile = () => rmSync(userDataDir, { recursive: true, force: true });
  try {
    const context = await chromium.launchPersistentContext(userDataDir, { ...CHROMIUM_LAUNCH, viewport });
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    return {
      context,
      page,
      pageErrors,
      close: async () => {
        await context.close();
        removeProfile();
      },
    };
  } catch (error) {
    removeProfile();
    throw error;
  }
}

/** Call at the top of a browser test file: warns when skipping, and under CI turns a missing browser into a failing test. */
export function requireChromium(suite: string): void {
  if (hasChromium) return;
  if (!process.env.CI) {
    console.warn(`SKIPPED: ${suite} — chromium not installed at ${CHROMIUM}`);
    return;
  }
  // Declared only then, so a normal run shows no skipped test.
  describe(`${suite} prerequisites`, () => {
    it('has chromium installed', () => {
      throw new Error(`chromium is required for the browser e2e tests under CI but ${CHROMIUM} does not exist`);
    });
  });
}

/** Signs in as a demo user (password = username) and opens the ward's board, once its tiles are drawn. */
export async function signInToWard(page: Page, baseUrl: string, username: string, wardId: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // "/" goes to the first ward's board; the test's ward may be another.
  await page.waitForURL(/\/wards\/[^/]+$/, { timeout: 15_000 });
  if (!page.url().endsWith(`/wards/${wardId}`)) await page.goto(`${baseUrl}/wards/${wardId}`);
  await page.locator(`article[data-bed-id]`).first().waitFor({ timeout: 15_000 });
}

/** Where browser tests keep their screenshots (failed steps, and the screens each suite records); not committed. */
export const E2E_ARTIFACTS = fileURLToPath(new URL('../e2e/artifacts/', import.meta.url));

/**
 * A full-page screenshot of what the test just checked, kept in test/e2e/artifacts/<name>.png (a
 * re-run overwrites it): the reviewable record of each screen the browser suites walk through.
 */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(E2E_ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(E2E_ARTIFACTS, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
}

/** Runs one browser step; on failure keeps a full-page screenshot in test/e2e/artifacts/ and names it. */
export async function screenshotOnFailure<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    mkdirSync(E2E_ARTIFACTS, { recursive: true });
    const file = join(E2E_ARTIFACTS, `${name.replace(/[^a-z0-9]+/gi, '-')}-${Date.now()}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    console.error(`e2e step "${name}" failed; screenshot: ${file}`);
    throw err;
  }
}
