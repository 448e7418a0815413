/**
 * Browser end-to-end: a nurse signs in, watches the ward board, sees a sustained-distress alert
 * arrive live over SSE, reads its explanation, acknowledges it and resolves it with an outcome.
 *
 * Runs the built dashboard (dashboard/build, rebuilt here when missing or older than its sources)
 * served by the real server, in the system Chromium. Without /usr/bin/chromium the suite is
 * skipped locally and fails under CI.
 */
import { describe, expect, it } from 'vitest';
import { hasChromium, requireChromium } from '../support/browser.ts';
import { setUpBrowserSuite } from '../support/browser-suite.ts';
import { encodePayload, topics } from '@attune/protocol';
import { deviceStatus } from '../support/device-status.ts';
import { makeEpisode, makeWindow, startTestSystem } from '../support/system.ts';

requireChromium('browser e2e tests (ward board)');

describe.skipIf(!hasChromium)('ward board in the browser', () => {
  const suite = setUpBrowserSuite({ screenshotPrefix: 'board', viewport: { width: 1440, height: 1000 } });
  const { step } = suite;

  it('sends a signed-out visitor to sign in, and rejects a wrong password in words', async () => {
    const { page, system } = suite;
    await step('signed-out', async () => {
      await page.goto(`${system.baseUrl}/`);
      await page.waitForURL(/\/login/);
      await page.getByLabel('Username').fill('demo-nurse');
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/username or password is not right/i);
    });
  });

  it('shows a live alert, explains it, and lets the nurse acknowledge and resolve it', async () => {
    const { page, system, browser } = suite;
    const device = system.devices[0];
    if (!device) throw new Error('the test system seeded no devices');
    const tileSelector = `article[data-bed-id="${device.bedId}"]`;

    await step('sign-in', async () => {
      await page.getByLabel('Username').fill('demo-nurse');
      await page.getByLabel('Password').fill('demo-nurse');
      await page.getByRole('button', { name: 'Sign in' }).click();
      // "/" goes to the first ward's board; the seeded device may sit on another ward.
      await page.waitForURL(/\/wards\/[^/]+$/, { timeout: 15_000 });
      if (!page.url().endsWith(`/wards/${device.wardId}`)) await page.goto(`${system.baseUrl}/wards/${device.wardId}`);
      await page.locator(tileSelector).waitFor({ timeout: 15_000 });
      // The header names the user and role; the stream is connected before anything is published.
      await expect.poll(() => page.locator('header.app-header').textContent()).toMatch(/Nurse/);
      await page.locator('[data-live-status="live"]').waitFor({ timeout: 15_000 });
    });

    const tile = page.locator(tileSelector);
    await step('board-before', async () => {
      const text = (await tile.textContent()) ?? '';
      expect(text).toMatch(/Camera: (on|off)/);
      expect(text).toMatch(/Wearable: (on|off)/);
      expect(await tile.getByRole('button', { name: /open explanation/i }).count()).toBe(0);
    });

    // 15 windows of 5 s ending now = 75 s of distress 0.9 at confidence 0.8: more than the 60 s that opens an alert.
    await system.publishScores(device.deviceId, makeEpisode(device.deviceId, 1, 15, new Date(), { distress: 0.9, confidence: 0.8 }));

    const alertButton = tile.getByRole('button', { name: /open explanation/i });
    await step('alert-arrives-live', async () => {
      await alertButton.waitFor({ timeout: 15_000 });
      expect(await alertButton.textContent()).toMatch(/(High|Medium|Low) priority/);
      expect(await tile.textContent()).toContain('0.90');
      const panel = page.locator('#open-alerts');
      expect(await panel.textContent()).toMatch(/Needs attention/);
    });

    const dialog = page.locator('dialog[open]');
    await step('open-explanation-by-keyboard', async () => {
      await alertButton.focus();
      await page.keyboard.press('Enter');
      await dialog.waitFor({ timeout: 10_000 });
      await dialog.getByRole('heading', { name: 'Evidence' }).waitFor({ timeout: 10_000 });
      // Focus moved into the dialog.
      // (A string: the root tsconfig has no DOM types.)
      expect(await page.evaluate("!!document.activeElement?.closest('dialog')")).toBe(true);
      const text = (await dialog.textContent()) ?? '';
      expect(text).toMatch(/Sustained distress/);
      expect(text).toMatch(/Model versions|Not observed|Evidence/);
    });

    await step('acknowledge', async () => {
      await dialog.getByRole('button', { name: 'Acknowledge' }).click();
      await expect.poll(() => dialog.getByRole('status').textContent(), { timeout: 10_000 }).toMatch(/Acknowledged by/);
      expect(await dialog.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
      expect(await alertButton.textContent()).toMatch(/Acknowledged/);
    });

    await step('resolve', async () => {
      await dialog.getByRole('radio', { name: 'Comforted' }).check();
      await dialog.getByLabel('Note (optional)').fill('Repositioned and reassured; settled.');
      await dialog.getByRole('button', { name: 'Resolve' }).click();
      await expect.poll(() => dialog.getByRole('status').textContent(), { timeout: 10_000 }).toMatch(/Resolved: Comforted/);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: 5_000 }).catch(() => dialog.waitFor({ state: 'hidden' }));
      await alertButton.waitFor({ state: 'detached', timeout: 10_000 });
    });

    await step('verify-state', async () => {
      const res = await page.request.get(`${system.baseUrl}/api/alerts?state=resolved&wardId=${device.wardId}`);
      expect(res.status()).toBe(200);
      const { alerts } = (await res.json()) as {
        alerts: { bedId: string | null; state: string; outcome: string | null; acknowledgedBy: string | null; note: string | null }[];
      };
      const resolved = alerts.find((a) => a.bedId === device.bedId);
      expect(resolved).toMatchObject({ state: 'resolved', outcome: 'comforted', note: 'Repositioned and reassured; settled.' });
      expect(resolved?.acknowledgedBy).toBeTruthy();
      expect(await page.locator('#open-alerts').textContent()).not.toMatch(/Needs attention|Acknowledged/);
    });

    expect(browser.pageErrors).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('a bed whose monitoring is interrupted, in the browser', () => {
  const suite = setUpBrowserSuite({
    screenshotPrefix: 'board-interrupted',
    viewport: { width: 1440, height: 1000 },
    startSystem: () => startTestSystem({ env: { INGEST_STALL_S: '5' } }),
  });

  it('says "Monitoring interrupted" with the reason on the tile, live, and stops showing the last score as current', async () => {
    const { system } = suite;
    const device = system.devices[1]!;
    const { page, pageErrors } = suite.browser;
    await suite.signInToWard('demo-nurse', device.wardId);
    const tile = page.locator(`article[data-bed-id="${device.bedId}"]`);
    await tile.waitFor({ timeout: 15_000 });
    await page.locator('[data-live-status="live"]').waitFor({ timeout: 15_000 });

    // A good window first, then the device's clock jumps an hour ahead: its windows are refused.
    const client = await system.connectDevice(device.deviceId);
    const status = encodePayload(
      'status',
      deviceStatus(device.deviceId, {
        agentVersion: '0.1.0',
        sources: { camera: 'no_consent', wearable: 'streaming' },
        clockOffsetMs: 3_600_000,
      }),
    );
    await client.publishAsync(topics.status(device.deviceId), status, { qos: 1, retain: true });
    await client.publishAsync(
      topics.scores(device.deviceId),
      encodePayload('scores', makeWindow(device.deviceId, 1, new Date(), { distress: 0.31, confidence: 0.9 })),
      { qos: 1 },
    );
    await expect.poll(() => tile.textContent(), { timeout: 15_000 }).toContain('0.31');
    let seq = 2;
    const ahead = setInterval(() => {
      const w = makeWindow(device.deviceId, seq++, new Date(Date.now() + 3_600_000), { distress: 0.9, confidence: 0.9 });
      void client.publishAsync(topics.scores(device.deviceId), encodePayload('scores', w), { qos: 1 });
      void client.publishAsync(topics.status(device.deviceId), status, { qos: 1, retain: true });
    }, 1000);
    try {
      const banner = tile.getByRole('status').filter({ hasText: 'Monitoring interrupted' });
      await banner.waitFor({ timeout: 30_000 });
      expect(await banner.textContent()).toMatch(/clock is 1 h ahead of the server's/);
      expect(await tile.textContent()).toMatch(/Device clock 1 h ahead/);
      // The last score is no longer presented as the current reading.
      expect(await tile.textContent()).not.toMatch(/Distress\s*0\.31/);
    } finally {
      clearInterval(ahead);
    }
    expect(pageErrors).toEqual([]);
  });
});
