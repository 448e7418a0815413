/**
 * Browser end-to-end for the fleet page, as IT: four devices in different states (healthy; behind
 * the fleet's versions with its outbox growing, its configuration refused and a doctor check
 * failing; offline after its Last Will; never seen), their statuses published by the test as the
 * devices. The summary counts them and says the version drift; the list sorts and filters through
 * its URL; a device's page shows what needs attention, its health, doctor checks, configuration
 * result and status history, with the links to its configuration and credentials. Desktop
 * (1440x900) and phone (390x844): no sideways scrolling, axe finds nothing, screenshots kept.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from '../support/axe.ts';
import { hasChromium, keepScreenshot, requireChromium } from '../support/browser.ts';
import { setUpBrowserSuite } from '../support/browser-suite.ts';
import { deviceStatus, publishStatuses } from '../support/device-status.ts';
import { DESK, pageOverflows, PHONE, signInAsItAdmin } from '../support/it-admin-pages.ts';
import type { TestDevice } from '../support/system.ts';

requireChromium('browser e2e tests (fleet page)');

describe.skipIf(!hasChromium)('the fleet page in the browser', () => {
  const suite = setUpBrowserSuite({ screenshotPrefix: 'fleet', viewport: DESK });
  const { step } = suite;
  const shot = (name: string) => keepScreenshot(suite.page, `fleet-${name}`);
  const bed = (i: number): TestDevice => suite.system.devices[i]!;
  const rows = () => suite.page.getByRole('table', { name: 'Enrolled bedside devices' }).locator('tbody tr');
  const rowIds = async () => rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-device-id')));

  beforeAll(async () => {
    const { system } = suite;
    const it_ = await system.login('demo-it');
    await publishStatuses(system, it_, [
      deviceStatus(bed(0).deviceId, {
        models: { 'wearable-distress': '1.2.0' },
        modelSha256: { 'wearable-distress': 'ab'.repeat(32) },
        outboxBacklog: 0,
        cpuPercent: 9.5,
        memoryRssBytes: 160 * 1024 * 1024,
        doctor: { at: new Date().toISOString(), checks: [{ name: 'models', result: 'ok', code: null }] },
        config: { version: 2, state: 'applied', reason: null, field: null },
      }),
    ]);
    const behind = (backlog: number) =>
      deviceStatus(bed(1).deviceId, {
        agentVersion: '0.4.0',
        models: { 'wearable-distress': '1.2.0' },
        outboxBacklog: backlog,
        cpuPercent: 31,
        memoryRssBytes: 210 * 1024 * 1024,
        doctor: { at: new Date().toISOString(), checks: [{ name: 'camera', result: 'fail', code: 'device_missing' }] },
        config: { version: 3, state: 'refused', reason: 'camera_unavailable', field: 'camera.device' },
      });
    await publishStatuses(system, it_, [behind(2), behind(6), behind(10)]);
    await publishStatuses(system, it_, [deviceStatus(bed(2).deviceId), deviceStatus(bed(2).deviceId, { state: 'offline' })]);
  });

  const signInAsIt = async () => {
    await signInAsItAdmin(suite.page, suite.system.baseUrl);
    await rows().first().waitFor();
  };

  it('on a desktop, summarises the fleet, sorts and filters through the URL', async () => {
    const { page, system } = suite;
    await step('summary', async () => {
      await signInAsIt();
      const counts = await page.getByTestId('fleet-count').allTextContents();
      expect(counts.map((c) => c.replace(/\s+/g, ' ').trim())).toEqual([
        '2 Online',
        '1 Offline',
        '1 Never seen',
        '1 Erroring',
        '1 Outdated',
      ]);
      expect(await page.getByTestId('fleet-drift').textContent()).toContain('Agent 0.4.1 on 2 devices, 0.4.0 on 1');
      expect(await rowIds()).toEqual([0, 1, 2, 3].map((i) => bed(i).deviceId));
      expect(await pageOverflows(page)).toBe(false);
      await expectNoAxeViolations(page, 'the fleet page on a desktop');
      await shot('desktop');
    });
    await step('sort', async () => {
      await page.getByLabel('Sort by').selectOption('backlog');
      await page.waitForURL(/sort=backlog/);
      expect((await rowIds())[0]).toBe(bed(1).deviceId);
      await page.getByLabel('Sort by').selectOption('state');
      await page.waitForURL(/sort=state/);
      expect((await rowIds()).slice(0, 2)).toEqual([bed(2).deviceId, bed(3).deviceId]);
    });
    await step('filter-from-url', async () => {
      await page.goto(`${system.baseUrl}/devices?erroring=true`);
      await rows().first().waitFor();
      expect(await rowIds()).toEqual([bed(1).deviceId]);
      expect(await page.getByLabel('Erroring').isChecked()).toBe(true);
      expect(await page.getByTestId('fleet-shown').textContent()).toContain('1 of 4 devices match');
      const problems = (await rows().first().getByTestId('device-problems').textContent()) ?? '';
      expect(problems).toContain('Outbox growing');
      expect(problems).toContain('Configuration refused: the camera device does not exist on this machine');
      expect(problems).toContain('Agent older than the newest in the fleet');
      await shot('desktop-erroring');
      await page.getByRole('button', { name: 'Show all devices' }).click();
      await page.waitForURL((url) => url.pathname === '/devices' && url.search === '');
      expect(await rows().count()).toBe(4);
      await page.locator('select[name="state"]').selectOption('offline');
      await page.waitForURL(/state=offline/);
      expect(await rowIds()).toEqual([bed(2).deviceId]);
      // The summary's counts are links to the same views.
      await page.getByTestId('fleet-count').filter({ hasText: 'Never seen' }).click();
      await page.waitForURL(/state=never_seen/);
      expect(await rowIds()).toEqual([bed(3).deviceId]);
    });
    expect(suite.browser.pageErrors).toEqual([]);
  });

  it('opens a device’s page with what needs attention, its health, doctor checks, configuration result and history', async () => {
    const { page, system } = suite;
    const id = bed(1).deviceId;
    await step('detail', async () => {
      await page.goto(`${system.baseUrl}/devices?outdated=true`);
      await rows().first().getByRole('link', { name: id }).click();
      await page.waitForURL(new RegExp(`/devices/${id}$`));
      await page.getByRole('table', { name: 'Status history, newest first' }).waitFor();
      const problems = (await page.getByTestId('device-problems').textContent()) ?? '';
      expect(problems).toContain('Outbox growing');
      expect(problems).toContain('Doctor: Camera failed');
      expect(await page.getByTestId('device-config-result').textContent()).toMatch(
        /Configuration 3 refused: the camera device does not exist on this machine \(field camera\.device\)/,
      );
      const doctor = (await page.getByRole('table', { name: 'Doctor checks' }).textContent()) ?? '';
      expect(doctor).toContain('the camera is not there');
      const history = page.getByTestId('status-history').locator('tbody tr');
      expect(await history.count()).toBe(3);
      expect((await history.allTextContents()).map((t) => t.match(/(\d+|none) waiting/)?.[0])).toEqual([
        '10 waiting',
        '6 waiting',
        '2 waiting',
      ]);
      const nav = page.getByRole('navigation', { name: 'Manage this device' });
      expect(await nav.getByRole('link', { name: 'Remote configuration' }).getAttribute('href')).toBe(`/devices/${id}/config`);
      expect(await nav.getByRole('link', { name: 'Credentials and decommissioning' }).getAttribute('href')).toBe(
        `/devices/${id}/credentials`,
      );
      expect(await page.getByTestId('device-facts').textContent()).toContain('Consent message no.');
      expect(await pageOverflows(page)).toBe(false);
      await expectNoAxeViolations(page, 'a device’s page on a desktop');
      await shot('device-desktop');
    });
    await step('offline-history', async () => {
      await page.goto(`${system.baseUrl}/devices/${bed(2).deviceId}`);
      const history = page.getByTestId('status-history').locator('tbody tr');
      await history.first().waitFor();
      expect(await history.first().textContent()).toContain('Went offline');
    });
    expect(suite.browser.pageErrors).toEqual([]);
  });

  it('fits a phone: the fleet as cards and a device’s page, without sideways scrolling', async () => {
    const { page, system } = suite;
    await page.setViewportSize(PHONE);
    await step('fleet-phone', async () => {
      await page.goto(`${system.baseUrl}/devices`);
      await rows().first().waitFor();
      expect(await pageOverflows(page)).toBe(false);
      await expectNoAxeViolations(page, 'the fleet page on a phone');
      await shot('phone');
    });
    await step('device-phone', async () => {
      await page.goto(`${system.baseUrl}/devices/${bed(1).deviceId}`);
      await page.getByRole('table', { name: 'Status history, newest first' }).waitFor();
      expect(await pageOverflows(page)).toBe(false);
      await expectNoAxeViolations(page, 'a device’s page on a phone');
      await shot('device-phone');
    });
    expect(suite.browser.pageErrors).toEqual([]);
  });
});
