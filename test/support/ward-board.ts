/** The ward board as browser suites look at it: its tiles and where they lie on the screen. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** A bed's tile on the board (or the wall display). */
export const tileOf = (page: Page, bedId: string) => page.locator(`article[data-bed-id="${bedId}"]`);

/** Fails unless every tile lies wholly inside the viewport and the page does not scroll: the whole ward on one screen. */
export async function expectTilesWithinViewport(page: Page, viewport: { width: number; height: number }): Promise<void> {
  const tiles = page.locator('article[data-bed-id]');
  const outside: string[] = [];
  for (let i = 0; i < (await tiles.count()); i++) {
    const box = await tiles.nth(i).boundingBox();
    if (!box || box.x < 0 || box.y < 0 || box.x + box.width > viewport.width || box.y + box.height > viewport.height) {
      outside.push(`tile ${i + 1} at ${JSON.stringify(box)}`);
    }
  }
  expect(outside, `tiles outside the ${viewport.width}x${viewport.height} screen`).toEqual([]);
  expect(await page.evaluate('document.scrollingElement.scrollHeight')).toBeLessThanOrEqual(viewport.height);
  expect(await page.evaluate('document.scrollingElement.scrollWidth')).toBeLessThanOrEqual(viewport.width);
}
