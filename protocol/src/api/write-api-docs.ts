/** `npm run docs:api`: rewrites the schema reference of docs/api.md from the API's zod schemas. */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSchemaReference, withSchemaReference } from './api-docs.ts';

const path = new URL('../../../docs/api.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withSchemaReference(before, renderSchemaReference());
if (after !== before) writeFileSync(path, after);
console.log(after === before ? 'docs/api.md is up to date' : 'docs/api.md schema reference rewritten');
