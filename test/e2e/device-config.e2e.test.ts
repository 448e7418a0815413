/**
 * Browser end-to-end: an IT admin sets a device's remote configuration on its page, in words (window
 * length in seconds, camera and wristband on or off, camera device, frames per second), and reads
 * what the real bedside agent did with it: "Applied version 1", then a camera device that is not on
 * the machine "Refused version 2: camera /dev/video9 not found…", then Clear sends the agent back to
 * its own file. Zero axe violations; desktop and phone screenshots; the phone never scrolls sideways.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger, startAgent, type RunningAgent } from '@attune/edge-agent';
import { bedsideAgentConfig } from '../support/bedside-agent.ts';
import { hasChromium, requireChromium } from '../support/browser.ts';
import { setUpBrowserSuite } from '../support/browser-suite.ts';
import { checkDeskAndPhone, DESK, signInAsItAdmin } from '../support/it-admin-pages.ts';
import { waitFor } from '../support/system.ts';

requireChromium('browser e2e tests (remote configuration)');

describe.skipIf(!hasChromium)('remote configuration of a device in the browser', () => {
  const suite = setUpBrowserSuite({ screenshotPrefix: 'device-config', viewport: DESK, startTimeoutMs: 300_000 });
  const { step } = suite;
  const dataDir = mkdtempSync(join(tmpdir(), 'attune-config-e2e-'));
  let agent: RunningAgent | undefined;
  afterAll(async () => {
    await agent?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an IT admin sets, sees refused and clears a device’s configuration, in words', async () => {
    const { page, system, browser } = suite;
    const device = system.devices[0]!;
    // The real agent: a simulated wristband, no camera on this machine.
    agent = await startAgent(bedsideAgentConfig(device, { mqttUrl: system.mqttUrl, dataDir, windowMs: 1000, seed: 5 }), {
      log: silentLogger,
    });
    const report = page.getByTestId('config-report');

    await step('open', async () => {
      await signInAsItAdmin(page, system.baseUrl);
      await page.goto(`${system.baseUrl}/devices/${device.deviceId}/config`);
      await page.getByRole('heading', { name: `Remote configuration of ${device.deviceId}`, level: 1 }).waitFor();
      await page.getByText('No remote configuration is set: the agent runs its own configuration file.').waitFor();
      await checkDeskAndPhone(page, 'the configuration page before one is set', 'device-config-none', () =>
        page.getByTestId('config-form').waitFor(),
      );
    });

    await step('apply', async () => {
      await page.getByLabel('Window length (seconds, 1 to 60)').fill('10');
      await page.getByLabel('Camera on').uncheck(); // this machine has no camera: the agent would refuse
      await page.getByRole('button', { name: 'Save configuration' }).click();
      await page.getByText(/Saved as version 1\./).waitFor();
      await expect.poll(() => report.textContent(), { timeout: 20_000 }).toMatch(/^\s*Applied version 1 at \d{1,2}:\d{2}/);
      expect(agent!.status().windowMs).toBe(10_000);
      expect(await page.getByLabel('Window length (seconds, 1 to 60)').inputValue()).toBe('10');
      await checkDeskAndPhone(page, 'the configuration page with version 1 applied', 'device-config-applied', () => report.waitFor());
    });

    await step('refuse', async () => {
      await page.getByLabel("Camera device (blank: the machine's own camera setting)").fill('/dev/video9');
      await page.getByLabel('Window length (seconds, 1 to 60)').fill('20');
      await page.getByRole('button', { name: 'Save configuration' }).click();
      await expect
        .poll(() => report.textContent(), { timeout: 20_000 })
        .toMatch(
          /Refused version 2 at \d{1,2}:\d{2}: camera \/dev\/video9 not found on this machine[\s\S]*previous settings stay in force/,
        );
      expect(agent!.status().windowMs).toBe(10_000);
      await checkDeskAndPhone(page, 'the configuration page with version 2 refused', 'device-config-refused', () => report.waitFor());
    });

    await step('clear', async () => {
      await page.getByRole('button', { name: "Clear: use the machine's own file" }).click();
      await page.getByText('Cleared. The agent goes back to its own configuration file.').waitFor();
      await page.getByText('No remote configuration is set: the agent runs its own configuration file.').waitFor();
      await waitFor(async () => agent!.status().config === undefined, 'the agent to go back to its own file');
      expect(agent!.status().windowMs).toBe(1000);
    });
    expect(browser.pageErrors).toEqual([]);
  }, 240_000);
});
