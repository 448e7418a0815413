/**
 * Browser end-to-end: the demo-sized ward (8 beds) on the desk at 1440x900, and the station's wall
 * display (/wards/:id/wall): staff only, no header and nothing to press, large type, all beds on one
 * 1920x1080 screen; it rides out a server restart and, when the sign-in ends, keeps the last state
 * greyed under a banner that says so. Screenshots of each state are kept.
 */
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from '../support/axe.ts';
import { hasChromium, keepScreenshot, requireChromium } from '../support/browser.ts';
import { setUpBrowserSuite } from '../support/browser-suite.ts';
import { makeEpisode, startTestSystem, type TestBed } from '../support/system.ts';
import { expectTilesWithinViewport, tileOf } from '../support/ward-board.ts';

requireChromium('browser e2e tests (wall display)');

const BEDS: TestBed[] = Array.from({ length: 8 }, (_, i) => ({ consent: i === 7 ? null : { camera: i % 2 === 0, wearable: true } }));

describe.skipIf(!hasChromium)('the ward board at 1440x900 and the wall display', () => {
  const suite = setUpBrowserSuite({
    screenshotPrefix: 'ward-station-wall',
    viewport: { width: 1440, height: 900 },
    // Escalation after 10 s, so the alert is escalated by the time the screens are checked.
    startSystem: () => startTestSystem({ beds: BEDS, env: { ALERT_ESCALATE_AFTER_S: '10' } }),
    startTimeoutMs: 180_000,
  });
  const { step } = suite;
  const wallStatus = () => suite.page.locator('[data-testid="wall"] header [data-live-status]').getAttribute('data-live-status');

  it('asks a signed-out visitor of the wall display to sign in first', async () => {
    const { page, system } = suite;
    await step('wall-signed-out', async () => {
      await page.goto(`${system.baseUrl}/wards/${system.wardId}/wall`);
      await page.waitForURL(/\/login\?next=/, { timeout: 15_000 });
      expect(decodeURIComponent(page.url())).toContain(`/wards/${system.wardId}/wall`);
    });
  });

  it('shows all 8 beds on a 1440x900 desk screen, an unacknowledged alert escalated with its level, and links to the wall display', async () => {
    const { page, system } = suite;
    const alerting = system.devices[0]!;
    await system.publishScores(alerting.deviceId, makeEpisode(alerting.deviceId, 1, 15, new Date(), { distress: 0.9, confidence: 0.8 }));
    await suite.signInToWard('demo-nurse');
    await step('desk-8-beds', async () => {
      const alertButton = tileOf(page, alerting.bedId).getByRole('button', { name: /priority/ });
      await alertButton.waitFor({ timeout: 15_000 });
      await tileOf(page, alerting.bedId).locator('[data-escalation-level]').waitFor({ timeout: 30_000 });
      expect(await alertButton.textContent()).toMatch(/Escalated, level \d/);
      expect(await tileOf(page, alerting.bedId).getAttribute('class')).toMatch(/escalated/);
      expect(await page.locator('#open-alerts').textContent()).toMatch(/Escalated to level \d/);
      expect(await page.locator('article[data-bed-id]').count()).toBe(8);
      await expectTilesWithinViewport(page, { width: 1440, height: 900 });
      await keepScreenshot(page, 'ward-station-8-beds-1440x900');
    });
    await step('open-wall', async () => {
      await page.getByRole('link', { name: 'Wall display' }).click();
      await page.waitForURL(/\/wall$/, { timeout: 10_000 });
      await page.locator('[data-testid="wall"] article[data-bed-id]').first().waitFor({ timeout: 15_000 });
    });
  });

  it('shows the wall display with no controls, in large type, every bed on one 1920x1080 screen', async () => {
    const { page, system } = suite;
    await page.setViewportSize({ width: 1920, height: 1080 });
    await step('wall', async () => {
      await expect.poll(wallStatus, { timeout: 15_000 }).toBe('live');
      expect(await page.locator('header.app-header').count()).toBe(0);
      const wall = page.getByTestId('wall');
      expect(await wall.getByRole('button').count()).toBe(0);
      expect(await wall.getByRole('link').count()).toBe(0);
      expect(await tileOf(page, system.devices[0]!.bedId).textContent()).toMatch(
        /(High|Medium|Low) priority.*Escalated, level \d.*Unacknowledged/s,
      );
      // Every size on the tiles is in rem: the root font size is the wall's type size. Polled: the page
      // sizes its type on the window's resize, which a busy machine delivers after the tiles are drawn.
      const rootFontPx = async () => Number.parseFloat(String(await page.evaluate('getComputedStyle(document.documentElement).fontSize')));
      await expect.poll(rootFontPx, { timeout: 10_000 }).toBeGreaterThanOrEqual(28);
      await expectTilesWithinViewport(page, { width: 1920, height: 1080 });
      await keepScreenshot(page, 'ward-station-wall-1920x1080');
      await expectNoAxeViolations(page, 'the wall display');
    });
  });

  it('rides out a server restart: greyed while the server is away, live again after it', async () => {
    const { page, system } = suite;
    const restarted = system.restartServer(4000);
    await step('wall-server-away', async () => {
      await expect.poll(wallStatus, { timeout: 15_000, interval: 200 }).not.toBe('live');
      await page.getByTestId('not-live').waitFor({ timeout: 10_000 });
      expect(await page.locator('article.stale').count()).toBe(8);
      await keepScreenshot(page, 'ward-station-wall-server-away');
    });
    await restarted;
    await step('wall-server-back', async () => {
      await expect.poll(wallStatus, { timeout: 45_000 }).toBe('live');
      await expect.poll(() => page.locator('article.stale').count(), { timeout: 10_000 }).toBe(0);
      expect(await page.locator('[data-testid="wall"] article[data-bed-id]').count()).toBe(8);
      expect(page.url()).toMatch(/\/wall$/);
    });
  });

  it('fills itself in once the server is back when its first load failed', async () => {
    const { page, system } = suite;
    await suite.signInToWard('demo-nurse');
    // The board's request fails as if the server were away; the stream itself stays up.
    await page.route('**/api/wards/*/board', (route) => route.abort('connectionrefused'));
    try {
      await step('wall-first-load-failed', async () => {
        await page.getByRole('link', { name: 'Wall display' }).click();
        await expect.poll(() => page.getByTestId('wall').textContent(), { timeout: 15_000 }).toMatch(/could not be reached.*Trying again/s);
        await keepScreenshot(page, 'ward-station-wall-first-load-failed');
      });
    } finally {
      await page.unroute('**/api/wards/*/board');
    }
    // The stream drops and comes back with the server: the wall loads the board by itself.
    await system.restartServer(1000);
    await step('wall-filled-in', async () => {
      await expect.poll(() => page.locator('[data-testid="wall"] article[data-bed-id]').count(), { timeout: 30_000 }).toBe(8);
      await expect.poll(wallStatus, { timeout: 15_000 }).toBe('live');
    });
  });

  it('keeps the last state greyed under a clear banner when the sign-in ends', async () => {
    const { page, system } = suite;
    const nurse = await system.server.repositories.users.findByUsername('demo-nurse');
    await system.server.repositories.users.deleteSessionsOf(nurse!.id);
    await step('wall-signed-out-banner', async () => {
      // The server re-reads an open stream's session every 15 s, then the browser finds the session gone.
      await expect.poll(wallStatus, { timeout: 60_000, interval: 500 }).toBe('signed_out');
      expect(await page.getByTestId('not-live').textContent()).toMatch(/Signed out: this screen is no longer updated.*Last update/s);
      expect(page.url()).toMatch(/\/wall$/);
      expect(await page.locator('article.stale').count()).toBe(8);
      expect(await tileOf(page, system.devices[0]!.bedId).textContent()).toMatch(/priority/);
      await keepScreenshot(page, 'ward-station-wall-signed-out');
      await expectNoAxeViolations(page, 'the wall display, signed out');
    });
    expect(suite.browser.pageErrors).toEqual([]);
  });
});
