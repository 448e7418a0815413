/**
 * The frame every browser end-to-end suite shares: before its tests, the built dashboard, a test
 * system serving it and a Chromium with one page; after them, the browser closed and the system
 * stopped. Call it inside the suite's describe. The suite's own beforeAll hooks (seeding, extra
 * servers, page listeners) run after this start, and its own afterAll hooks before this stop.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { openBrowser, screenshotOnFailure, signInToWard, type BrowserSession } from './browser.ts';
import { ensureDashboardBuilt } from './dashboard-build.ts';
import { startTestSystem, type TestSystem } from './system.ts';

export interface BrowserSuite {
  readonly system: TestSystem;
  readonly browser: BrowserSession;
  readonly page: Page;
  /** Runs one named step of a test; on failure keeps a screenshot named `<screenshotPrefix>-<name>`. */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Signs a demo user in (password = username) and opens the ward's board: the test system's ward unless named. */
  signInToWard(username: string, wardId?: string): Promise<void>;
}

export function setUpBrowserSuite(options: {
  screenshotPrefix: string;
  viewport: { width: number; height: number };
  /** Starts the system under test, once the dashboard is built; startTestSystem() unless given. */
  startSystem?: () => Promise<TestSystem>;
  /** The start's timeout where the project's hook timeout is not enough. */
  startTimeoutMs?: number;
}): BrowserSuite {
  let system: TestSystem | undefined;
  let browser: BrowserSession | undefined;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    system = await (options.startSystem ?? startTestSystem)();
    browser = await openBrowser(options.viewport);
  }, options.startTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the browser suite's ${what} is not started: use it in a test or a later hook`);
    return value;
  };
  const startedSystem = () => started(system, 'system');
  const startedBrowser = () => started(browser, 'browser');

  // Plain functions, not methods: a suite may destructure `step` and `signInToWard`.
  return {
    get system() {
      return startedSystem();
    },
    get browser() {
      return startedBrowser();
    },
    get page() {
      return startedBrowser().page;
    },
    step: (name, fn) => screenshotOnFailure(startedBrowser().page, `${options.screenshotPrefix}-${name}`, fn),
    signInToWard: (username, wardId) =>
      signInToWard(startedBrowser().page, startedSystem().baseUrl, username, wardId ?? startedSystem().wardId),
  };
}
