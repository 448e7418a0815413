/**
 * Browser end-to-end: the nurse's station board for a 24-bed ward. The whole ward fits one
 * 1920x1080 screen; a phone and a tablet put open alerts first and never scroll sideways; a score is
 * greyed with its age once its device has been silent for 30 s; and a frozen event stream (a proxy
 * that stops forwarding /api/events while keeping the connection open) turns the board stale within
 * ~25 s, every tile greyed and the header saying so in words. Screenshots of each state are kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoAxeViolations } from '../support/axe.ts';
import { hasChromium, keepScreenshot, requireChromium, signInToWard } from '../support/browser.ts';
import { setUpBrowserSuite } from '../support/browser-suite.ts';
import { startFreezableProxy, type FreezableProxy } from '../support/freezable-proxy.ts';
import { makeEpisode, makeWindow, startTestSystem, type TestBed } from '../support/system.ts';
import { expectTilesWithinViewport, tileOf } from '../support/ward-board.ts';

requireChromium('browser e2e tests (nurse station)');

/** 24 beds: most monitored (camera and wristband, or wristband only), some empty. */
const BEDS: TestBed[] = Array.from({ length: 24 }, (_, i) => ({
  consent: i % 8 === 7 ? null : { camera: i % 2 === 0, wearable: true },
}));

describe.skipIf(!hasChromium)('the nurse station: a 24-bed ward', () => {
  const suite = setUpBrowserSuite({
    screenshotPrefix: 'ward-station',
    viewport: { width: 1920, height: 1080 },
    startSystem: () => startTestSystem({ beds: BEDS }),
    startTimeoutMs: 240_000,
  });
  const { step } = suite;
  let proxy: FreezableProxy;

  beforeAll(async () => {
    proxy = await startFreezableProxy(suite.system.baseUrl);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  const liveStatus = (page: Page) => page.locator('header.app-header [data-live-status]').getAttribute('data-live-status');

  it('shows every bed of the ward on one 1920x1080 screen, the alerting bed standing out with its priority and state in words', async () => {
    const { page, system } = suite;
    const unsure = system.devices[1]!;
    // An alert in every row of six (beds 1, 7, 13, 19): the tallest tiles the screen must hold.
    const alertingBeds = [0, 6, 12, 18].map((i) => system.devices[i]!);
    const alerting = alertingBeds[0]!;
    // 75 s of distress 0.9 opens a sustained-distress alert. Then one reading with a confidence of 14%.
    for (const d of alertingBeds) {
      await system.publishScores(d.deviceId, makeEpisode(d.deviceId, 1, 15, new Date(), { distress: 0.9, confidence: 0.8 }));
    }
    await system.publishScores(unsure.deviceId, [makeWindow(unsure.deviceId, 1, new Date(), { distress: 0.06, confidence: 0.14 })]);

    // Through the proxy, so a later test can freeze the stream under this very page.
    await signInToWard(page, proxy.url, 'demo-nurse', system.wardId);
    await expect.poll(() => liveStatus(page), { timeout: 15_000 }).toBe('live');

    await step('24-beds-desk', async () => {
      // The accessible name is the visible text with the bed first: priority and state included (axe: label-content-name-mismatch).
      const alertButton = tileOf(page, alerting.bedId).getByRole('button', {
        name: /^Bed 1:.*(High|Medium|Low) priority.*Unacknowledged \d+ (s|min).*open explanation/,
      });
      await alertButton.waitFor({ timeout: 15_000 });
      for (const d of alertingBeds) {
        await tileOf(page, d.bedId)
          .getByRole('button', { name: /priority/ })
          .waitFor({ timeout: 15_000 });
        expect(await tileOf(page, d.bedId).getAttribute('class')).toMatch(/alerting/);
      }
      const unsureScore = tileOf(page, unsure.bedId).locator('[data-score-state]');
      await expect.poll(() => unsureScore.getAttribute('data-score-state'), { timeout: 10_000 }).toBe('low-confidence');
      expect(await unsureScore.textContent()).toContain('Low confidence: wristband only');
      expect(await page.locator('article[data-bed-id]').count()).toBe(24);
      await expectTilesWithinViewport(page, { width: 1920, height: 1080 });
      await keepScreenshot(page, 'ward-station-24-beds-1920x1080');
      await expectNoAxeViolations(page, 'the 24-bed board at 1920x1080');
    });
  });

  it("holds the whole ward for a charge nurse too, with five actions on every occupied bed's tile", async () => {
    const { page, system } = suite;
    await page.context().clearCookies();
    await signInToWard(page, system.baseUrl, 'demo-charge', system.wardId);
    await step('24-beds-charge-nurse', async () => {
      await tileOf(page, system.devices[0]!.bedId)
        .getByRole('button', { name: /Discharge/ })
        .waitFor({ timeout: 15_000 });
      expect(await page.locator('article[data-bed-id]').count()).toBe(24);
      await expectTilesWithinViewport(page, { width: 1920, height: 1080 });
      await keepScreenshot(page, 'ward-station-24-beds-charge-nurse');
      await expectNoAxeViolations(page, 'the 24-bed board as a charge nurse');
    });
    // The rest of the suite watches as the nurse, through the proxy.
    await page.context().clearCookies();
    await signInToWard(page, proxy.url, 'demo-nurse', system.wardId);
  });

  for (const viewport of [
    { name: 'phone', width: 390, height: 844 },
    { name: 'tablet', width: 820, height: 1180 },
  ]) {
    it(`puts open alerts first on a ${viewport.name} (${viewport.width}x${viewport.height}) and never scrolls sideways`, async () => {
      const { page } = suite;
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      try {
        await step(`${viewport.name}-layout`, async () => {
          const alerts = await page.locator('#open-alerts').boundingBox();
          const firstTile = await page.locator('article[data-bed-id]').first().boundingBox();
          expect(alerts && firstTile && alerts.y < firstTile.y).toBe(true);
          expect(await page.locator('#open-alerts').textContent()).toMatch(/Needs attention/);
          expect(await page.evaluate('document.scrollingElement.scrollWidth')).toBeLessThanOrEqual(viewport.width);
          await keepScreenshot(page, `ward-station-${viewport.name}-${viewport.width}x${viewport.height}`);
          await expectNoAxeViolations(page, `the board on a ${viewport.name}`);
        });
      } finally {
        await page.setViewportSize({ width: 1920, height: 1080 });
      }
    });
  }

  it('greys a score whose device has been silent for 30 s, with its age, while heartbeats keep the board live', async () => {
    const { page, system } = suite;
    const device = system.devices[2]!;
    await system.publishScores(device.deviceId, [makeWindow(device.deviceId, 1, new Date(), { distress: 0.35, confidence: 0.9 })]);
    const score = tileOf(page, device.bedId).locator('[data-score-state]');
    await step('device-reporting', async () => {
      await expect.poll(() => score.getAttribute('data-score-state'), { timeout: 15_000 }).toBe('current');
      expect(await score.textContent()).toMatch(/Distress\s*0\.35/);
    });
    await step('device-silent', async () => {
      await expect.poll(() => score.getAttribute('data-score-state'), { timeout: 45_000, interval: 1000 }).toBe('silent');
      expect(await score.textContent()).toMatch(/Last reading\s*0\.35/);
      expect(await score.textContent()).toMatch(/\d+ s ago · device silent/);
      // Over 30 s with no score on this ward: only the server's heartbeat kept the stream live.
      expect(await liveStatus(page)).toBe('live');
      await keepScreenshot(page, 'ward-station-device-silent');
    });
  });

  it('never pretends to be live: a frozen stream turns the board stale, every tile greyed, the header in words', async () => {
    const { page } = suite;
    await expect.poll(() => liveStatus(page), { timeout: 15_000 }).toBe('live');
    const frozenAt = Date.now();
    proxy.freeze();
    try {
      await step('stream-frozen', async () => {
        await expect.poll(() => liveStatus(page), { timeout: 40_000, interval: 500 }).toBe('stale');
        // Not before 25 s of silence: the last heartbeat came at most 10 s before the freeze (1 s of slack for the poll).
        expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(14_000);
        expect(await page.locator('header.app-header [data-live-status]').textContent()).toMatch(/Not live: no updates/);
        expect(await page.getByTestId('not-live').textContent()).toMatch(/Not live: nothing heard from the server.*Last update \d+ s ago/s);
        expect(await page.getByTestId('tile-stale').count()).toBe(24);
        expect(await page.locator('article.stale').count()).toBe(24);
        await keepScreenshot(page, 'ward-station-stream-frozen');
        await expectNoAxeViolations(page, 'the board with a frozen stream');
      });
    } finally {
      proxy.thaw();
    }
    await step('stream-back', async () => {
      await expect.poll(() => liveStatus(page), { timeout: 40_000 }).toBe('live');
      await expect.poll(() => page.getByTestId('tile-stale').count(), { timeout: 10_000 }).toBe(0);
    });
    expect(suite.browser.pageErrors).toEqual([]);
  });
});
