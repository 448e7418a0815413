/**
 * The tablet's interface words, $lib/i18n.ts and ./pairing-words.ts: every key in every language,
 * none empty, with English's placeholders; and the header's "for whom", one language per sentence.
 */
import { describe, expect, it } from 'vitest';
import { forPatient, LANGUAGES, MESSAGES, type Lang } from '$lib/i18n';
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

describe('whom the tablet is for (forPatient): the bed said in the chosen language', () => {
  it('says a numbered bed in each language, whether the ward wrote "Bed 8", "Cama 8" or "8"', () => {
    for (const label of ['Bed 8', 'bed 8', 'Cama 8', '8', ' Bed  8 ']) {
      expect(forPatient('en', 'Ana Ruiz', label), label).toBe('For Ana Ruiz, Bed 8');
      expect(forPatient('es', 'Ana Ruiz', label), label).toBe('Para Ana Ruiz, cama 8');
    }
    expect(forPatient('es', 'Ana Ruiz', 'Bed 12b')).toBe('Para Ana Ruiz, cama 12b');
  });

  it('shows any other label as the ward wrote it, as a labelled value outside the sentence', () => {
    expect(forPatient('es', 'Ana Ruiz', 'UCI-3')).toBe('Para Ana Ruiz · cama: UCI-3');
    expect(forPatient('en', 'Ana Ruiz', 'Bay 2 window')).toBe('For Ana Ruiz · bed: Bay 2 window');
  });

  it('never puts the English word "Bed" into a Spanish sentence for a numbered bed', () => {
    for (let n = 1; n <= 24; n++) expect(forPatient('es', 'X', `Bed ${n}`)).not.toMatch(/\bbed\b/i);
  });
});
