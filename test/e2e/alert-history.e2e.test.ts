/**
 * Browser end-to-end for the nurse's station's alert dialog and alert history, on a phone first
 * (390x844): the dialog puts Acknowledge first and fits the screen, its history lists each
 * escalation (ALERT_ESCALATE_AFTER_S=2, so real alerts escalate within seconds); the Alerts page
 * filters by state, kind, priority, bed and time through its URL after one alert is acknowledged
 * and another resolved with a note; the stay timeline shows the same facts; and the staff pages
 * (alerts, dialog, stay, devices, users, sign-in, alert quality) fit the phone and pass axe.
 *
 * Runs the built dashboard served by the real server, in the system Chromium (skipped locally
 * without /usr/bin/chromium, failing under CI).
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from '../support/axe.ts';
import { hasChromium, keepScreenshot, requireChromium } from '../support/browser.ts';
import { setUpBrowserSuite } from '../support/browser-suite.ts';
import { exampleScoreWindow } from '@attune/protocol';
import { getJson, makeEpisode, makeWindow, startTestSystem, waitFor, type TestDevice } from '../support/system.ts';

requireChromium('browser e2e tests (alert dialog and alert history)');

const PHONE = { width: 390, height: 844 };
const TABLET = { width: 820, height: 1180 };
const DESK = { width: 1440, height: 900 };

type ApiAlert = { id: string; bedId: string | null; kind: string; priority: string; state: string; escalationLevel: number };

/**
 * Whether the page, header included, is wider than the screen (what a phone must never do). A
 * string: the root tsconfig has no DOM types.
 */
const pageOverflows = (page: Page) =>
  page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth') as Promise<boolean>;

describe.skipIf(!hasChromium)('alert dialog and alert history in the browser', () => {
  const suite = setUpBrowserSuite({
    screenshotPrefix: 'alert-history',
    viewport: PHONE,
    // The suite counts alerts exactly: its devices fall silent after their scripted windows, and on a
    // busy machine the suite outlasts the 30 to 60 s after which a silent device raises its own
    // technical alert (device offline, signal lost, or monitoring interrupted: online but no windows
    // stored), so silence is given an hour here.
    startSystem: () =>
      startTestSystem({
        env: { ALERT_ESCALATE_AFTER_S: '2', DEVICE_OFFLINE_AFTER_S: '3600', SIGNAL_LOST_AFTER_S: '3600', INGEST_STALL_S: '3600' },
      }),
  });
  const { step } = suite;
  const shot = (name: string) => keepScreenshot(suite.page, `alert-history-${name}`);
  let cookie: string;
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  /** Bed 1's distress alert (acknowledged in the dialog), bed 2's (resolved with a note) and bed 2's consent alert (left firing). */
  const raised: Record<'acknowledged' | 'resolved' | 'firing', ApiAlert | undefined> = {
    acknowledged: undefined,
    resolved: undefined,
    firing: undefined,
  };
  const bed = (i: number): TestDevice => suite.system.devices[i]!;
  const openAlerts = async (): Promise<ApiAlert[]> => (await getJson(suite.system.baseUrl, '/api/alerts?state=all', cookie)).alerts;

  const signIn = async (username: string) => {
    const { page, system } = suite;
    await page.goto(`${system.baseUrl}/login`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(username);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 15_000 });
  };
  const signOut = async () => {
    await suite.page.getByRole('button', { name: 'Sign out' }).click();
    await suite.page.waitForURL(/\/login/);
  };
  const dialog = () => suite.page.locator('dialog[open]');
  /** Opens an alert's dialog from the Alerts page's list. */
  const openFromList = async (alertId: string) => {
    const button = suite.page.locator(`button[data-alert-id="${alertId}"]`);
    await button.waitFor({ timeout: 15_000 });
    await button.click();
    await dialog().getByRole('heading', { name: 'Evidence' }).waitFor({ timeout: 10_000 });
  };

  beforeAll(async () => {
    const { system } = suite;
    cookie = await system.login('demo-nurse');
    // Beds 1 and 2: 75 s of distress 0.9 (more than the 60 s that opens an alert). Then bed 2's
    // device sends a face reading its patient did not consent to: a technical consent alert.
    for (const i of [0, 1]) {
      await system.publishScores(bed(i).deviceId, makeEpisode(bed(i).deviceId, 1, 15, new Date(), { distress: 0.9, confidence: 0.8 }));
    }
    const outsideConsent = makeWindow(
      bed(1).deviceId,
      16,
      new Date(),
      { distress: 0.2, confidence: 0.9 },
      { face: exampleScoreWindow.face },
    );
    await system.publishScores(bed(1).deviceId, [outsideConsent]);
    const alerts = await waitFor(
      async () => {
        const all = await openAlerts();
        const on = (i: number, kind: string) => all.find((a) => a.bedId === bed(i).bedId && a.kind === kind);
        const found = [on(0, 'sustained_distress'), on(1, 'sustained_distress'), on(1, 'consent_violation')];
        // Bed 1's alert at level 2 or more: its history holds two escalations.
        return found.every(Boolean) && found[0]!.escalationLevel >= 2 ? (found as ApiAlert[]) : null;
      },
      'distress alerts on beds 1 and 2 (bed 1 escalated twice) and a consent alert on bed 2',
      30_000,
    );
    [raised.acknowledged, raised.resolved, raised.firing] = alerts;
  });

  it('on a phone, the dialog puts Acknowledge first within the screen, then the summary, the evidence and the history with each escalation', async () => {
    const { page, system } = suite;
    const alert = raised.acknowledged!;
    await step('sign-in', async () => {
      await signIn('demo-nurse');
      await page.goto(`${system.baseUrl}/alerts`);
      await openFromList(alert.id);
    });
    await step('dialog-order-and-fit', async () => {
      const acknowledge = dialog().getByRole('button', { name: 'Acknowledge' });
      const box = await acknowledge.boundingBox();
      expect(box, 'the Acknowledge button is drawn').not.toBeNull();
      expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height);
      const ys = await Promise.all(
        [
          acknowledge,
          dialog().locator('.summary'),
          dialog().getByRole('heading', { name: 'Evidence' }),
          dialog().getByRole('heading', { name: 'History' }),
        ].map(async (l) => (await l.boundingBox())!.y),
      );
      expect(ys).toEqual([...ys].sort((a, b) => a - b));
      expect(await pageOverflows(page)).toBe(false);
      expect(
        await page.evaluate("(() => { const d = document.querySelector('dialog[open]'); return d.scrollWidth <= d.clientWidth; })()"),
      ).toBe(true);
      const standing = (await dialog().getByTestId('alert-standing').textContent()) ?? '';
      expect(standing).toMatch(/Unacknowledged \d+ (s|min)/);
      expect(standing).toMatch(/Escalated to level [23]/);
      const history = (await dialog().getByTestId('alert-history').textContent()) ?? '';
      expect(history).toMatch(/Escalated to level 1: unacknowledged \d+ s/);
      expect(history).toMatch(/Escalated to level 2: unacknowledged \d+ s/);
      await shot('dialog-phone-firing');
      // The evidence, further down the dialog, in the phone's width.
      await dialog().getByRole('heading', { name: 'Evidence' }).scrollIntoViewIfNeeded();
      await shot('dialog-phone-evidence');
      await expectNoAxeViolations(page, 'the alert dialog of a firing alert on a phone');
    });
    await step('acknowledge', async () => {
      await dialog().getByRole('button', { name: 'Acknowledge' }).click();
      await expect
        .poll(() => dialog().getByTestId('alert-standing').textContent(), { timeout: 10_000 })
        .toMatch(/Acknowledged (just now|\d+ min ago) by Demo Nurse/);
      // The history is asked for again after acknowledging.
      await expect
        .poll(() => dialog().getByTestId('alert-history').textContent(), { timeout: 10_000 })
        .toMatch(/Acknowledged by Demo Nurse/);
      await shot('dialog-phone-acknowledged');
      await expectNoAxeViolations(page, 'the alert dialog of an acknowledged alert on a phone');
      await page.keyboard.press('Escape');
      await dialog()
        .waitFor({ state: 'detached', timeout: 5_000 })
        .catch(() => dialog().waitFor({ state: 'hidden' }));
    });
    expect(suite.browser.pageErrors).toEqual([]);
  });

  it('resolves another alert with a note, then the Alerts page filters by state, kind, priority, bed and time through its URL', async () => {
    const { page, system } = suite;
    const note = 'Repositioned; settled within minutes.';
    await step('resolve-with-note', async () => {
      await openFromList(raised.resolved!.id);
      await dialog().getByRole('button', { name: 'Resolve…' }).click();
      await dialog().getByRole('radio', { name: 'Comforted' }).check();
      await dialog().getByLabel('Note (optional)').fill(note);
      await dialog().getByRole('button', { name: 'Resolve', exact: true }).click();
      await expect.poll(() => dialog().getByRole('status').textContent(), { timeout: 10_000 }).toMatch(/Resolved: Comforted/);
      await shot('dialog-phone-resolved');
      await page.keyboard.press('Escape');
    });

    const listed = async () => {
      await expect.poll(() => page.getByTestId('alert-count').count(), { timeout: 10_000 }).toBe(1);
      return page.locator('[data-alert-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-alert-id')));
    };
    /** Chooses in the filter form, shows the alerts, and expects exactly these ones listed. */
    const filterTo = async (name: string, choose: Record<string, string>, expected: (ApiAlert | undefined)[]) => {
      await step(`filter-${name}`, async () => {
        const form = page.getByTestId('alert-filters');
        // Folded under its summary on a phone, so the alerts come first.
        if (!(await form.isVisible())) await page.locator('details.filters > summary').click();
        await form.getByRole('button', { name: 'Clear filters' }).click();
        for (const [label, option] of Object.entries(choose)) await form.getByLabel(label).selectOption({ label: option });
        await form.getByRole('button', { name: 'Show alerts' }).click();
        const ids = expected.map((a) => a!.id).sort();
        await expect.poll(async () => ((await listed()) as string[]).sort(), { timeout: 10_000 }).toEqual(ids);
        expect(await pageOverflows(page)).toBe(false);
        await shot(`filter-${name}`);
      });
    };

    await step('open-by-default', async () => {
      await page.goto(`${system.baseUrl}/alerts`);
      // Open alerts only, the one still firing first.
      await expect.poll(listed, { timeout: 10_000 }).toEqual([raised.firing!.id, raised.acknowledged!.id]);
      await expectNoAxeViolations(page, 'the Alerts page on a phone');
      await shot('open-phone');
    });
    await filterTo('resolved', { State: 'Resolved' }, [raised.resolved]);
    await step('resolved-facts', async () => {
      expect(page.url()).toMatch(/\?state=resolved$/);
      const card = page.locator('li', { has: page.locator(`[data-alert-id="${raised.resolved!.id}"]`) });
      const text = (await card.textContent())!.replace(/\s+/g, ' ');
      expect(text).toMatch(/Resolved (just now|\d+ min ago) by Demo Nurse: Comforted/);
      expect(text).toContain(`Note: “${note}”`);
      expect(text).toMatch(/Escalated to level \d/);
      // Reloading keeps the filter.
      await page.reload();
      await expect.poll(listed, { timeout: 10_000 }).toEqual([raised.resolved!.id]);
      expect(await page.getByTestId('alert-filters').getByLabel('State').inputValue()).toBe('resolved');
      expect(await page.getByTestId('alert-filter-words').textContent()).toBe('resolved alerts');
    });
    await filterTo('acknowledged', { State: 'Acknowledged' }, [raised.acknowledged]);
    await step('acknowledged-facts', async () => {
      const text = (await page.locator('li', { has: page.locator(`[data-alert-id="${raised.acknowledged!.id}"]`) }).textContent())!;
      expect(text.replace(/\s+/g, ' ')).toMatch(/Acknowledged by Demo Nurse at \d\d:\d\d \(after \d+ (s|min)\)/);
    });
    await filterTo('firing', { State: 'Needs attention' }, [raised.firing]);
    await filterTo('all-consent-kind', { State: 'All', Kind: 'Consent violation' }, [raised.firing]);
    await filterTo('all-distress-kind', { State: 'All', Kind: 'Sustained distress' }, [raised.acknowledged, raised.resolved]);
    await filterTo('bed-1', { State: 'All', Bed: 'Bed 1' }, [raised.acknowledged]);
    const all = Object.values(raised);
    const priority = raised.acknowledged!.priority;
    const label = priority.charAt(0).toUpperCase() + priority.slice(1);
    await filterTo(
      'priority',
      { State: 'All', Priority: label },
      all.filter((a) => a!.priority === priority),
    );

    await step('time-range-in-url', async () => {
      const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
      await page.goto(`${system.baseUrl}/alerts?state=all&from=${encodeURIComponent(inAnHour)}`);
      await expect.poll(() => page.getByTestId('alert-count').textContent(), { timeout: 10_000 }).toBe('No alerts match this filter.');
      await page.goto(`${system.baseUrl}/alerts?state=all&from=${encodeURIComponent(startedAt)}&to=${encodeURIComponent(inAnHour)}`);
      await expect.poll(async () => ((await listed()) as string[]).sort(), { timeout: 10_000 }).toEqual(all.map((a) => a!.id).sort());
      // The form shows the URL's times in the browser's local time.
      expect(await page.getByLabel('Opened from').inputValue()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
      await shot('time-range');
    });

    for (const [name, viewport] of [
      ['tablet', TABLET],
      ['desk', DESK],
    ] as const) {
      await step(`all-${name}`, async () => {
        await page.setViewportSize(viewport);
        await page.goto(`${system.baseUrl}/alerts?state=all`);
        await expect.poll(async () => ((await listed()) as string[]).length, { timeout: 10_000 }).toBe(3);
        expect(await pageOverflows(page)).toBe(false);
        await expectNoAxeViolations(page, `the Alerts page on a ${name}`);
        await shot(`all-${name}`);
      });
    }
    await page.setViewportSize(PHONE);
    expect(suite.browser.pageErrors).toEqual([]);
  });

  it('shows on the stay timeline who acknowledged and resolved each alert, the note and the escalations', async () => {
    const { page, system } = suite;
    await step('stay-resolved', async () => {
      await page.goto(`${system.baseUrl}/stays/${bed(1).stayId}`);
      const alerts = page.getByRole('region', { name: 'Alerts in this period' });
      await expect.poll(() => alerts.textContent(), { timeout: 10_000 }).toMatch(/Resolved by Demo Nurse at \d\d:\d\d: Comforted/);
      expect(await alerts.textContent()).toContain('Note: “Repositioned; settled within minutes.”');
      expect(await alerts.textContent()).toMatch(/Escalated to level \d/);
      expect(await pageOverflows(page)).toBe(false);
      await expectNoAxeViolations(page, 'the stay timeline on a phone');
      await shot('stay-resolved');
    });
    await step('stay-acknowledged', async () => {
      await page.goto(`${system.baseUrl}/stays/${bed(0).stayId}`);
      const alerts = page.getByRole('region', { name: 'Alerts in this period' });
      await expect.poll(() => alerts.textContent(), { timeout: 10_000 }).toMatch(/Acknowledged by Demo Nurse at \d\d:\d\d/);
      expect(await alerts.textContent()).toMatch(/Escalated to level [23]/);
      await shot('stay-acknowledged');
    });
    expect(suite.browser.pageErrors).toEqual([]);
  });

  it('fits the devices and users pages on a phone, and axe finds nothing on them, the sign-in page or alert quality', async () => {
    const { page, system } = suite;
    await step('devices-phone', async () => {
      await signOut();
      await expectNoAxeViolations(page, 'the sign-in page on a phone');
      await shot('login-phone');
      await signIn('demo-it');
      await page.waitForURL(/\/devices$/);
      await page.getByRole('table', { name: 'Enrolled bedside devices' }).waitFor();
      expect(await pageOverflows(page)).toBe(false);
      await expectNoAxeViolations(page, 'the devices page on a phone');
      await shot('devices-phone');
    });
    await step('devices-tablet', async () => {
      await page.setViewportSize(TABLET);
      expect(await pageOverflows(page)).toBe(false);
      await shot('devices-tablet');
      await page.setViewportSize(PHONE);
    });
    await step('users-phone', async () => {
      await page.goto(`${system.baseUrl}/users`);
      await page.getByTestId('user-row-demo-nurse').waitFor();
      expect(await pageOverflows(page)).toBe(false);
      await expectNoAxeViolations(page, 'the users page on a phone');
      await shot('users-phone');
    });
    await step('quality-phone', async () => {
      await signOut();
      await signIn('demo-charge');
      await page.goto(`${system.baseUrl}/alerts/quality`);
      await page.getByTestId('quality-range').waitFor({ timeout: 10_000 });
      expect(await pageOverflows(page)).toBe(false);
      await expectNoAxeViolations(page, 'the alert quality page on a phone');
      await shot('quality-phone');
    });
    expect(suite.browser.pageErrors).toEqual([]);
  });
});
