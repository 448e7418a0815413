/**
 * Browser end-to-end: the alarm in the staff header. A freshly loaded page may not start audio
 * (the browser's autoplay policy), so the header says "Sound blocked by the browser"; one click
 * starts the AudioContext. A high-priority alert raised over MQTT then sounds (the control
 * says which priority plays), counts in the tab title and favicon and shows a desktop notification;
 * acknowledging it silences the alarm and clears the count.
 *
 * The page's AudioContexts and Notifications are observed through init scripts that wrap the
 * browser's own constructors (the app is not told it is being watched). Turning sound off is
 * remembered across a reload, and one click turns it back on.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from '../support/axe.ts';
import { hasChromium, keepScreenshot, requireChromium } from '../support/browser.ts';
import { setUpBrowserSuite } from '../support/browser-suite.ts';
import type { BrowserContext } from 'playwright-core';
import { makeEpisode, startTestSystem } from '../support/system.ts';

requireChromium('browser e2e tests (alarms)');

/**
 * Runs in the page before the app: keeps every AudioContext the app creates where the test can read
 * its state, and applies Chrome's desktop autoplay policy, which this headless Chromium does not
 * (its AudioContexts run without a gesture even with --autoplay-policy=user-gesture-required): a
 * context created outside a click or key press starts suspended, and resume() works only inside
 * one. A gesture is a trusted input event (Playwright's clicks are; its evaluate calls, which
 * count as user activation, are not).
 */
const WATCH_AUDIO = `(() => {
  const Original = window.AudioContext;
  let gestureAt = -Infinity;
  for (const type of ['pointerdown', 'mousedown', 'click', 'keydown']) {
    window.addEventListener(type, (e) => { if (e.isTrusted) gestureAt = performance.now(); }, true);
  }
  const inGesture = () => performance.now() - gestureAt < 1000;
  window.__audioContexts = [];
  window.AudioContext = class extends Original {
    constructor(...args) {
      super(...args);
      window.__audioContexts.push(this);
      let allowed = inGesture();
      // The context starts itself asynchronously: hold it back whenever it gets there unallowed.
      const holdBack = () => { if (!allowed && this.state === 'running') void Original.prototype.suspend.call(this); };
      this.addEventListener('statechange', holdBack);
      holdBack();
      this.resume = () => {
        if (inGesture()) allowed = true;
        return allowed ? Original.prototype.resume.call(this) : Promise.resolve();
      };
    }
  };
})();`;

/** Runs in the page before the app: reports each notification the app shows to the test. */
const WATCH_NOTIFICATIONS = `(() => {
  const Original = window.Notification;
  class Watched extends Original {
    constructor(title, options) {
      window.__recordNotification(title, (options && options.body) || '');
      super(title, options);
    }
  }
  Object.defineProperty(Watched, 'permission', { get: () => Original.permission });
  Watched.requestPermission = (...args) => Original.requestPermission(...args);
  window.Notification = Watched;
})();`;

const AUDIO_STATES = 'JSON.stringify((window.__audioContexts || []).map((c) => c.state))';

/** Watches the pages of the context: their AudioContexts, and each notification shown, into `shown`. */
async function watchPages(context: BrowserContext, shown: { title: string; body: string }[]): Promise<void> {
  await context.exposeFunction('__recordNotification', (title: string, body: string) => void shown.push({ title, body }));
  await context.addInitScript(WATCH_AUDIO);
  await context.addInitScript(WATCH_NOTIFICATIONS);
}

/** 40 windows of 5 s at distress 0.97: evidence well past what makes the alert high priority. */
const highDistress = (deviceId: string) => makeEpisode(deviceId, 1, 40, new Date(), { distress: 0.97, confidence: 0.9 });

describe.skipIf(!hasChromium)('alarms in the browser', () => {
  const suite = setUpBrowserSuite({ screenshotPrefix: 'alarms', viewport: { width: 1440, height: 900 } });
  const { step } = suite;
  const notifications: { title: string; body: string }[] = [];

  beforeAll(() => watchPages(suite.browser.context, notifications));

  it('is blocked until a click, sounds a firing high alert with title, favicon and notification, and stops when it is acknowledged', async () => {
    const { page, system, browser } = suite;
    const device = system.devices[0]!;
    const control = page.getByTestId('alarm-control');
    const header = 'header.app-header';
    const favicon = page.locator('link[rel~="icon"]');
    const plainIcon = await step('sign-in', async () => {
      await suite.signInToWard('demo-nurse', device.wardId);
      // A fresh document: the sign-in click no longer counts as a gesture that allows sound.
      await page.reload();
      await page.locator(`article[data-bed-id="${device.bedId}"]`).waitFor({ timeout: 15_000 });
      await page.locator('[data-live-status="live"]').waitFor({ timeout: 15_000 });
      return favicon.getAttribute('href');
    });
    expect(plainIcon).toMatch(/favicon\.svg$/);

    await step('sound-blocked', async () => {
      await expect.poll(() => control.getAttribute('data-sound-state'), { timeout: 10_000 }).toBe('blocked');
      expect(JSON.parse(await page.evaluate<string>(AUDIO_STATES))).toEqual(['suspended']);
      await control.getByRole('button', { name: 'Sound blocked by the browser: click to enable' }).waitFor();
      expect(await control.textContent()).toMatch(/Notifications off: click to allow/);
      await keepScreenshot(page, 'alarms-sound-blocked');
      await expectNoAxeViolations(page, 'the staff header with sound blocked', header);
    });

    await step('enable-sound-and-notifications', async () => {
      await control.getByRole('button', { name: 'Sound blocked by the browser: click to enable' }).click();
      await expect.poll(() => control.getAttribute('data-sound-state'), { timeout: 10_000 }).toBe('on');
      expect(JSON.parse(await page.evaluate<string>(AUDIO_STATES))).toEqual(['running']);
      await browser.context.grantPermissions(['notifications'], { origin: system.baseUrl });
      await control.getByRole('button', { name: 'Notifications off: click to allow' }).click();
      await control.getByText('Notifications on').waitFor({ timeout: 10_000 });
      expect(await control.getAttribute('data-alarm-playing')).toBe('none');
      await keepScreenshot(page, 'alarms-sound-on');
      await expectNoAxeViolations(page, 'the staff header with sound on', header);
    });

    await system.publishScores(device.deviceId, highDistress(device.deviceId));

    const alertId = await step('high-alert-sounds', async () => {
      await expect.poll(() => control.getAttribute('data-alarm-playing'), { timeout: 20_000 }).toBe('high');
      const res = await page.request.get(`${system.baseUrl}/api/alerts?state=firing&wardId=${device.wardId}`);
      const { alerts } = (await res.json()) as { alerts: { id: string; bedId: string; priority: string; bedLabel: string }[] };
      const alert = alerts.find((a) => a.bedId === device.bedId);
      expect(alert?.priority).toBe('high');
      expect(await control.getByRole('status').textContent()).toBe('1 unacknowledged: high priority alarm sounding');
      expect(JSON.parse(await page.evaluate<string>(AUDIO_STATES))).toEqual(['running']);
      await expect.poll(() => page.title()).toMatch(/^\(1\) /);
      await expect.poll(() => favicon.getAttribute('data-badge-count')).toBe('1');
      expect(await favicon.getAttribute('href')).toMatch(/^data:image\/png;base64,/);
      // The alert may open at medium priority and rise to high as the windows arrive: one notification each.
      await expect.poll(() => notifications.map((n) => n.title)).toContain(`${alert!.bedLabel}: high priority alert`);
      for (const n of notifications) expect(n.title).toMatch(new RegExp(`^${alert!.bedLabel}: (medium|high) priority alert$`));
      await keepScreenshot(page, 'alarms-high-sounding');
      await expectNoAxeViolations(page, 'the staff header with a high-priority alarm sounding', header);
      return alert!.id;
    });

    await step('acknowledge-silences', async () => {
      // The nurse acknowledges from this page (same origin, own session), as the alert dialog does.
      const status = await page.evaluate<number, string>(
        (id) => fetch(`/api/alerts/${id}/acknowledge`, { method: 'POST' }).then((r) => r.status),
        alertId,
      );
      expect(status).toBe(200);
      await expect.poll(() => control.getAttribute('data-alarm-playing'), { timeout: 10_000 }).toBe('none');
      expect(await control.getByRole('status').textContent()).toBe('');
      await expect.poll(() => page.title()).not.toMatch(/^\(\d+\) /);
      await expect.poll(() => favicon.getAttribute('href')).toBe(plainIcon);
      expect(await favicon.getAttribute('data-badge-count')).toBeNull();
      expect(await control.getAttribute('data-sound-state')).toBe('on');
      await keepScreenshot(page, 'alarms-acknowledged');
    });

    await step('sound-off-remembered', async () => {
      await control.getByRole('button', { name: 'Sound on' }).click();
      await control.getByRole('button', { name: 'Sound off' }).waitFor();
      await page.reload();
      await expect.poll(() => control.getAttribute('data-sound-state'), { timeout: 15_000 }).toBe('off');
      // Off means no audio at all: nothing was even created on this page.
      expect(JSON.parse(await page.evaluate<string>(AUDIO_STATES))).toEqual([]);
      await keepScreenshot(page, 'alarms-sound-off');
      await expectNoAxeViolations(page, 'the staff header with sound off', header);
      await control.getByRole('button', { name: 'Sound off' }).click();
      await expect.poll(() => control.getAttribute('data-sound-state'), { timeout: 10_000 }).toBe('on');
      expect(JSON.parse(await page.evaluate<string>(AUDIO_STATES))).toEqual(['running']);
    });

    expect(browser.pageErrors).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('escalation alarms for a charge nurse in the browser', () => {
  const suite = setUpBrowserSuite({
    screenshotPrefix: 'alarms-escalation',
    viewport: { width: 1440, height: 900 },
    startSystem: () => startTestSystem({ env: { ALERT_ESCALATE_AFTER_S: '3' } }),
  });
  const notifications: { title: string; body: string }[] = [];
  beforeAll(async () => {
    await watchPages(suite.browser.context, notifications);
    await suite.browser.context.grantPermissions(['notifications'], { origin: suite.system.baseUrl });
  });

  it('notifies the charge nurse of an unacknowledged alert in words with its elapsed time, and repeats the alarm escalated', async () => {
    const { page, system, browser, step } = suite;
    const device = system.devices[0]!;
    const control = page.getByTestId('alarm-control');
    await step('sign-in', async () => {
      await suite.signInToWard('demo-charge', device.wardId);
      // A fresh document, then her own click on the sound button: the sign-in click counts as the gesture
      // that allows sound only when the page makes its audio within a second of it, which a busy machine misses.
      await page.reload();
      await page.locator('[data-live-status="live"]').waitFor({ timeout: 15_000 });
      await control.getByRole('button', { name: 'Sound blocked by the browser: click to enable' }).click();
      await expect.poll(() => control.getAttribute('data-sound-state'), { timeout: 10_000 }).toBe('on');
      await control.getByText('Notifications on').waitFor({ timeout: 10_000 });
    });
    await system.publishScores(device.deviceId, highDistress(device.deviceId));

    await step('escalated', async () => {
      await expect.poll(() => control.getAttribute('data-alarm-escalated'), { timeout: 30_000 }).toBe('true');
      expect(await control.getAttribute('data-alarm-playing')).toBe('high');
      const escalations = () => notifications.filter((n) => /unacknowledged/.test(n.title));
      await expect.poll(() => escalations().length, { timeout: 15_000 }).toBeGreaterThan(0);
      for (const n of escalations()) expect(n.title).toMatch(/^Bed 1: (medium|high) priority unacknowledged \d+ s$/);
      expect(escalations()[0]!.body).toMatch(/^Escalation level \d: nobody has acknowledged this alert yet\.$/);
      await keepScreenshot(page, 'alarms-escalated-charge-nurse');
      await expectNoAxeViolations(page, 'the staff header with an escalated alarm', 'header.app-header');
    });
    expect(browser.pageErrors).toEqual([]);
  });
});
