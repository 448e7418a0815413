/**
 * What the bedside tablet's browser suites share: the built dashboard served by a test system whose
 * ward has five beds, one Chromium with a nurse's and a charge nurse's window signed in on the ward's
 * board, tablets opened as a test needs them, and the steps they take. Each suite file starts
 * its own: import this module as a namespace (`import * as suite`) and call suite.setUpTabletSuite()
 * inside the file's describe. The state lives in this module, which Vitest loads afresh for each test
 * file; `suite.sys`, `suite.nurse` and `suite.charge` are live bindings, set once the suite has started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { silentLogger, startAgent, type RunningAgent } from '@attune/edge-agent';
import { bedsideAgentConfig } from '../../support/bedside-agent.ts';
import { CHROMIUM_LAUNCH, keepScreenshot as keepAnyScreenshot, screenshotOnFailure, signInToWard } from '../../support/browser.ts';
import { ensureDashboardBuilt } from '../../support/dashboard-build.ts';
import { startTestSystem, type TestDevice, type TestSystem } from '../../support/system.ts';

// Bed 1: wearable path with a real agent. Bed 2: proxy path. Bed 3: camera-only path.
// Beds 4 and 5: empty, for admit and transfer.
const BEDS = [
  { consent: 'no-consent' as const },
  { consent: 'no-consent' as const },
  { consent: 'no-consent' as const },
  { consent: null },
  { consent: null },
];

/** A screenshot of a tablet screen in test/e2e/artifacts/tablet-<name>.png. */
export const keepScreenshot = (page: Page, name: string): Promise<void> => keepAnyScreenshot(page, `tablet-${name}`);

/** The system under test, once the suite has started (a live binding: read it in tests and later hooks). */
export let sys: TestSystem;
/** The nurse's window, signed in on the ward's board. */
export let nurse: Page;
/** The charge nurse's window, signed in on the ward's board; it accepts downloads. */
export let charge: Page;
/** The charge nurse's session cookie, for staffGet. */
export let chargeCookie: string;
let staffCookie: string;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Uncaught errors of every page: each suite ends by expecting none. */
export const pageErrors: string[] = [];
const agents: RunningAgent[] = [];
const tempDirs: string[] = [];
/** The page a failing step photographs. */
let current: Page;

/** Starts the suite before its tests and stops it after them; call once, inside the file's describe. */
export function setUpTabletSuite(): void {
  beforeAll(async () => {
    await ensureDashboardBuilt();
    sys = await startTestSystem({ beds: BEDS });
    staffCookie = await sys.login('demo-nurse');
    chargeCookie = await sys.login('demo-charge');
    browser = await chromium.launch({ ...CHROMIUM_LAUNCH });
    const nurseCtx = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const chargeCtx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    contexts.push(nurseCtx, chargeCtx);
    nurse = await nurseCtx.newPage();
    charge = await chargeCtx.newPage();
    for (const p of [nurse, charge]) p.on('pageerror', (err) => pageErrors.push(err.message));
    current = nurse;
    await step('nurse-signs-in', () => signInToWard(nurse, sys.baseUrl, 'demo-nurse', sys.wardId));
    await step('charge-signs-in', () => signInToWard(charge, sys.baseUrl, 'demo-charge', sys.wardId), charge);
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop().catch(() => {})));
    for (const ctx of contexts) await ctx.close().catch(() => {});
    await browser?.close();
    await sys?.stop();
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  });
}

/** From now on a failing step photographs this page. */
export function watch(page: Page): void {
  current = page;
}

export const bed = (i: number): TestDevice => sys.devices[i]!;

/** Runs one named step and keeps a screenshot of the screen it ends on (on failure, one named FAILED too). */
export async function step<T>(name: string, fn: () => Promise<T>, page: Page = current): Promise<T> {
  const result = await screenshotOnFailure(page, `tablet-FAILED-${name}`, fn);
  await keepScreenshot(page, name).catch(() => {});
  return result;
}

/** A tablet: a fresh browser context (own cookies and storage), touch screen, tablet size. */
export async function newTablet(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true, isMobile: false });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (err) => pageErrors.push(`tablet: ${err.message}`));
  return page;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert the shapes of docs/api.md
export async function staffGet(path: string, cookie = staffCookie): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sys.baseUrl}${path}`, { headers: { cookie } });
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await res.json() : null };
}

/** The server's consent text in a language, read with the tablet's own session. */
export async function serverTexts(tablet: Page, lang: string): Promise<Record<string, unknown>> {
  const res = await tablet.request.get(`${sys.baseUrl}/api/tablet/texts/${lang}`);
  expect(res.status()).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** A temporary folder, removed after the suite. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A real edge agent for a bed: the simulated wearable, and a camera if given. Stopped after the suite. */
export async function startBedAgent(d: TestDevice, camera: Record<string, unknown> = { kind: 'none' }): Promise<RunningAgent> {
  const config = bedsideAgentConfig(d, {
    mqttUrl: sys.mqttUrl,
    dataDir: tempDir('attune-tablet-agent-'),
    windowMs: 500,
    seed: 1,
    baselineWindows: 3,
  });
  const agent = await startAgent({ ...config, camera: camera as { kind: 'none' } }, { log: silentLogger });
  agents.push(agent);
  return agent;
}

/**
 * The tablet's confirmation: a typed name that does not match is refused in words (the alert says
 * `nameMismatch`), then the right name confirms and the status screen opens.
 */
export async function confirmAfterRefusedName(
  tablet: Page,
  o: { label: string; button: string; nameMismatch: string; wrongName: string; rightName: string; statusHeading: string },
): Promise<void> {
  await tablet.getByLabel(o.label).fill(o.wrongName);
  await tablet.getByRole('button', { name: o.button }).tap();
  await expect.poll(() => tablet.getByRole('alert').first().textContent(), { timeout: 10_000 }).toContain(o.nameMismatch);
  await tablet.getByLabel(o.label).fill(o.rightName);
  await tablet.getByRole('button', { name: o.button }).tap();
  await tablet.getByRole('heading', { level: 1, name: o.statusHeading }).waitFor({ timeout: 10_000 });
}
