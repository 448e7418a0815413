/**
 * Checks that a tablet page is Spanish throughout: every visible string and accessible name is made
 * of the dashboard's Spanish interface words, the server's Spanish consent text, and data.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { LANGUAGE_NAMES, MESSAGES } from '@attune/dashboard/i18n';
import { PAIRING_WORDS } from '@attune/dashboard/pairing-words';

/** Every string leaf of a JSON value. */
function stringLeaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringLeaves(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringLeaves(v, out);
  return out;
}

// Browser-side: visible text and accessible names, except the language switch (each language in
// itself, marked with lang="…"), <time> (a date formatted by the browser for that language) and
// SvelteKit's route announcer (it keeps the page title it spoke at the last navigation, e.g. opening
// the QR link before the language was switched; it speaks again only at the next navigation).
const COLLECT_VISIBLE_TEXT = `(() => {
  const out = [];
  const skip = (el) => !!el.closest('[lang]:not(html)') && el.closest('[lang]:not(html)').getAttribute('lang') !== document.documentElement.lang
    || !!el.closest('time') || !!el.closest('script,style,svg,#svelte-announcer');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.replace(/\\s+/g, ' ').trim();
    const el = n.parentElement;
    if (!text || !el || skip(el)) continue;
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && !el.closest('.visually-hidden')) continue;
    out.push(text);
  }
  for (const el of document.body.querySelectorAll('[aria-label],[placeholder],[title],img[alt]')) {
    if (skip(el)) continue;
    for (const a of ['aria-label', 'placeholder', 'title', 'alt']) {
      const v = el.getAttribute(a);
      if (v && v.trim()) out.push(v.trim());
    }
  }
  out.push(document.title);
  return out;
})()`;

/**
 * Every visible string on the tablet is Spanish: made only of Spanish interface strings, the
 * server's Spanish consent text, and data (names, bed label, numbers). No raw i18n keys.
 */
export async function expectAllSpanish(tablet: Page, esTexts: Record<string, unknown>, data: string[]): Promise<void> {
  expect(await tablet.evaluate('document.documentElement.lang')).toBe('es');
  const texts = (await tablet.evaluate(COLLECT_VISIBLE_TEXT)) as string[];
  const known = [
    ...Object.values(MESSAGES.es).flatMap((m) => m.split(/\{\w+\}/)),
    ...Object.values(PAIRING_WORDS.es).flatMap((m) => m.split(/\{\w+\}/)),
    ...stringLeaves(esTexts).flatMap((m) => m.split(/\{\w+\}/)),
    // The language switch names each language in itself.
    ...Object.values(LANGUAGE_NAMES),
    ...data,
  ]
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .sort((a, b) => b.length - a.length);
  const leftovers: string[] = [];
  for (const text of texts) {
    expect(text, 'raw i18n key on screen').not.toMatch(/\btablet\.[a-z]/i);
    let rest = text;
    for (const k of known) rest = rest.split(k).join(' ');
    if (!/^[\s\d.,:;·()\-–—/%!?¿¡"'«»…]*$/u.test(rest)) leftovers.push(`${JSON.stringify(text)} -> ${JSON.stringify(rest.trim())}`);
  }
  expect(leftovers, 'strings on the Spanish tablet that are not Spanish interface, consent text or data').toEqual([]);
}
