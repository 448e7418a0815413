import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSchemaReference, withSchemaReference } from './api-docs.ts';
import { LIVE_EVENT_TYPES } from './live-events.ts';

const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');

describe('docs/api.md against the API schemas', () => {
  it('has the schema reference the schemas generate (run `npm run docs:api` after changing a schema)', () => {
    expect(withSchemaReference(doc, renderSchemaReference())).toBe(doc);
  });

  it('names every live event the stream sends', () => {
    const liveSection = doc.slice(doc.indexOf('## Live events'), doc.indexOf('## Operations'));
    const undocumented = LIVE_EVENT_TYPES.filter((type) => type !== 'stay' && !liveSection.includes(`| \`${type}\` |`));
    expect(undocumented).toEqual([]);
    // `stay` is documented with the stays (docs/api.md "Stays, consent and the bedside tablet").
    expect(doc).toContain('`stay` (new): `{ wardId, bedId, stayId, change:');
  });
});
