/**
 * Accessibility checks in the browser suites: axe-core (WCAG 2.x A and AA rules plus best
 * practices) on the page as it stands, failing with every violation named and located.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Fails unless axe finds no violation on the page (or inside `include`, a CSS selector). */
export async function expectNoAxeViolations(page: Page, what: string, include?: string): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']);
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  const found = violations.map(
    (v) => `${v.id} (${v.impact ?? 'no impact given'}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`,
  );
  expect(found, `axe found accessibility violations on ${what}`).toEqual([]);
}
