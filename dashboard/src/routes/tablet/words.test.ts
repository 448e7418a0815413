/**
 * The tablet's interface words, $lib/i18n.ts and ./pairing-words.ts: every key in every language,
 * none empty, with English's placeholders.
 */
import { describe, expect, it } from 'vitest';
import { LANGUAGES, MESSAGES, type Lang } from '$lib/i18n';
import { PAIRING_WORDS } from './pairing-words';

/** Placeholders ({name}) of a message, sorted. */
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Checks a word table; `alsoCheck` adds the table's own checks of each word. */
function expectInEveryLanguage<Key extends string>(
  table: Record<Lang, Record<Key, string>>,
  what: string,
  alsoCheck: (lang: Lang, key: Key, value: string) => void,
): void {
  const english = Object.keys(table.en).sort();
  for (const lang of LANGUAGES) {
    const keys = Object.keys(table[lang]).sort();
    expect(keys, `${what} of ${lang}`).toEqual(english);
    for (const key of keys as Key[]) {
      const value = table[lang][key];
      expect(value.trim(), `${lang} ${key}`).not.toBe('');
      alsoCheck(lang, key, value);
      expect(placeholders(value), `placeholders of ${lang} ${key}`).toEqual(placeholders(table.en[key]));
    }
  }
}

describe('tablet interface strings (dashboard/src/lib/i18n.ts)', () => {
  it('has every key in every language, none empty, with matching placeholders', () => {
    expectInEveryLanguage(MESSAGES, 'keys', (lang, key, value) => {
      expect(value, `${lang} ${key} is not a raw key`).not.toMatch(/^tablet\./);
    });
  });

  it('has the ward and paused-pairing words (dashboard/src/routes/tablet/pairing-words.ts) in every language too', () => {
    expectInEveryLanguage(PAIRING_WORDS, 'pairing words', (lang, key) => {
      expect(Object.keys(MESSAGES[lang]), `${key} is not also an i18n key`).not.toContain(key);
    });
  });
});
