/**
 * Browser end-to-end for charge nurses: setting a stay's alert sensitivity from the ward board (the
 * reason is required; the tile then shows the level, the expiry and who set it), and the alert
 * quality page drawing its charts and a table a screen reader can read.
 *
 * Runs the built dashboard served by the real server, in the system Chromium (skipped locally
 * without /usr/bin/chromium, failing under CI).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from '../support/axe.ts';
import { hasChromium, requireChromium } from '../support/browser.ts';
import { setUpBrowserSuite } from '../support/browser-suite.ts';
import { startTestSystem } from '../support/system.ts';

requireChromium('browser e2e tests (alert sensitivity and quality)');

describe.skipIf(!hasChromium)('alert sensitivity and alert quality in the browser', () => {
  const suite = setUpBrowserSuite({
    screenshotPrefix: 'quality',
    viewport: { width: 1440, height: 1000 },
    startSystem: () => startTestSystem({ beds: [{ consent: { camera: false, wearable: true } }, { consent: null }] }),
  });
  const { step } = suite;

  beforeAll(async () => {
    const { system } = suite;
    // Two resolved alerts on the ward in the last day: one false alarm answered in 2 min, one intervention in 4 min.
    const device = system.devices[0]!;
    const [nurse] = await system.server.db.query<{ id: string }>(`select id from app_user where username = 'demo-nurse'`);
    for (const [agoMin, ackS, outcome] of [
      [120, 120, 'false_alarm'],
      [60, 240, 'intervened'],
    ] as const) {
      const opened = Date.now() - agoMin * 60_000;
      await system.server.db.query(
        `insert into alert (kind, category, priority, state, ward_id, bed_id, stay_id, opened_at, updated_at, acknowledged_at,
                            acknowledged_by_user_id, resolved_at, resolved_by_user_id, outcome, explanation)
         values ('sustained_distress', 'clinical', 'medium', 'resolved', $1, $2, $3, $4, $4, $5, $6, $5, $6, $7,
                 '{"summary":"seeded","evidence":[],"painad":[],"unobserved":[],"models":{}}'::jsonb)`,
        [
          system.wardId,
          device.bedId,
          device.stayId,
          new Date(opened).toISOString(),
          new Date(opened + ackS * 1000).toISOString(),
          nurse!.id,
          outcome,
        ],
      );
    }
  });

  it('lets a charge nurse set a stay to higher sensitivity with a reason, and shows it on the tile', async () => {
    const { page, system } = suite;
    const device = system.devices[0]!;
    const tile = page.locator(`article[data-bed-id="${device.bedId}"]`);
    await step('sign-in', () => suite.signInToWard('demo-charge'));
    await step('open-dialog', async () => {
      await tile.getByRole('button', { name: /Alert sensitivity/ }).click();
      await page.getByTestId('sensitivity-dialog').waitFor({ state: 'visible' });
    });
    const dialog = page.getByTestId('sensitivity-dialog');
    await step('reason-required', async () => {
      await dialog.getByRole('radio', { name: /Higher/ }).check();
      await dialog.getByRole('button', { name: 'Set to higher' }).click();
      await expect.poll(() => dialog.locator('#sensitivity-reason-error').textContent()).toMatch(/Say why/);
      await expectNoAxeViolations(page, 'the sensitivity dialog asking for a reason');
    });
    await step('save', async () => {
      await dialog.getByLabel(/Reason/).fill('post-operative, cannot call for help');
      await dialog.getByRole('button', { name: 'Set to higher' }).click();
      await expect
        .poll(() => page.getByTestId('board-action-message').textContent(), { timeout: 10_000 })
        .toMatch(/Alert sensitivity for Patient 1 set to higher until/);
    });
    await step('tile', async () => {
      const line = tile.getByTestId('tile-sensitivity');
      await line.waitFor({ timeout: 10_000 });
      const text = (await line.textContent())!.replace(/\s+/g, ' ');
      expect(text).toMatch(/Alert sensitivity: higher until .*\(set by Demo Charge Nurse: post-operative, cannot call for help\)/);
    });
    const [row] = await system.server.db.query<{ sensitivity: string; reason: string }>(
      `select sensitivity, reason from stay_alert_sensitivity where stay_id = $1`,
      [device.stayId],
    );
    expect(row).toEqual({ sensitivity: 'higher', reason: 'post-operative, cannot call for help' });
  });

  it('shows the alert quality page with charts and a readable table', async () => {
    const { page, system, browser } = suite;
    await step('open-quality', async () => {
      await page.getByRole('link', { name: 'Alert quality' }).click();
      await page.waitForURL(/\/alerts\/quality$/);
      await page.getByRole('radio', { name: 'Last 24 hours' }).check();
      await expect.poll(() => page.getByTestId('quality-range').textContent(), { timeout: 10_000 }).toMatch(/^Last 24 hours:/);
    });
    await step('table', async () => {
      const section = page.locator(`section[data-ward-id="${system.wardId}"]`);
      const table = section.getByRole('table');
      await table.waitFor();
      expect(await table.locator('caption').textContent()).toMatch(/Alert quality on Test ward .*, last 24 hours/);
      const row = table.locator('tr[data-kind="sustained_distress"]');
      const cells = (await row.locator('th, td').allTextContents()).map((t) => t.trim());
      // Kind, alerts, per patient-day (2 alerts over about 1 patient-day of stay time), outcomes, answered, median, p90.
      expect(cells[0]).toBe('Sustained distress');
      expect(cells[1]).toBe('2');
      expect(cells.slice(3, 8)).toEqual(['1 (50%)', '0 (0%)', '0 (0%)', '1 (50%)', '0 (0%)']);
      expect(cells.slice(8)).toEqual(['2', '3 min', '3 min 48 s']);
      // Three charts, each an image with a summary naming the figures.
      const charts = section.getByRole('img');
      expect(await charts.count()).toBe(3);
      expect(await charts.nth(2).getAttribute('aria-label')).toMatch(/median 3 min, 90th percentile 3 min 48 s/);
    });
    expect(browser.pageErrors).toEqual([]);
  });
});
