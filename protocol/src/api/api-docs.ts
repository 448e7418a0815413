/**
 * The schema reference of docs/api.md, generated from the API's zod schemas (z.toJSONSchema) so the
 * document cannot drift from what the server answers: `npm run docs:api` rewrites it, and
 * api-docs.test.ts fails when docs/api.md differs from what would be written.
 */
import { z } from 'zod';
import './index.ts';
import { apiSchemaDescriptions, apiSchemas } from './common.ts';

export const GENERATED_BEGIN = '<!-- BEGIN GENERATED: schema reference (npm run docs:api) -->';
export const GENERATED_END = '<!-- END GENERATED -->';

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
};

const code = (value: unknown) => `\`${String(value)}\``;
const link = (id: string) => `[${id}](#${id.toLowerCase()})`;
const isObject = (s: JsonSchema) => s.type === 'object' && s.properties !== undefined;

/** A field's type in words: "time", "list of [Alert](#alert)", "`a`, `b` or `c`", "... or null". */
function typeOf(s: JsonSchema): string {
  if (s.$ref) return link(s.$ref);
  if (Array.isArray(s.type)) {
    const others = s.type.filter((t) => t !== 'null');
    return others.map((type) => typeOf({ ...s, type })).join(' or ') + (others.length < s.type.length ? ' or null' : '');
  }
  if (s.anyOf) {
    const others = s.anyOf.filter((o) => o.type !== 'null');
    const nullable = others.length < s.anyOf.length;
    return others.map(typeOf).join(' or ') + (nullable ? ' or null' : '');
  }
  if (s.enum) return s.enum.length === 1 ? code(s.enum[0]) : `${s.enum.slice(0, -1).map(code).join(', ')} or ${code(s.enum.at(-1))}`;
  if (s.const !== undefined) return code(s.const);
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'anything'}`;
  if (isObject(s)) return 'object';
  if (s.type === 'object') {
    return typeof s.additionalProperties === 'object' ? `map of name to ${typeOf(s.additionalProperties)}` : 'object';
  }
  if (s.type === 'string') return stringType(s);
  if (s.type === 'integer' || s.type === 'number') return 'number';
  if (s.type === 'boolean') return 'true or false';
  return 'any JSON';
}

function stringType(s: JsonSchema): string {
  if (s.format === 'date-time') return 'time (ISO-8601 UTC)';
  if (s.format === 'uuid') return 'id (UUID)';
  const limits = [
    s.minLength !== undefined && s.maxLength !== undefined ? `${s.minLength} to ${s.maxLength} characters` : '',
    s.minLength === undefined && s.maxLength !== undefined ? `at most ${s.maxLength} characters` : '',
    s.minLength !== undefined && s.maxLength === undefined ? `at least ${s.minLength} characters` : '',
    s.pattern ? `matching ${code(s.pattern)}` : '',
  ].filter(Boolean);
  return limits.length ? `string, ${limits.join(', ')}` : 'string';
}

/** The object inside `s`, if `s` is an object or an object-or-null, so its fields are listed too. */
function innerObject(s: JsonSchema): JsonSchema | undefined {
  if (isObject(s)) return s;
  return s.anyOf?.find(isObject);
}

function fieldRows(s: JsonSchema, prefix = ''): string[] {
  const rows: string[] = [];
  for (const [name, field] of Object.entries(s.properties ?? {})) {
    const path = prefix + name;
    const optional = s.required?.includes(name) ? '' : ' (may be absent)';
    rows.push(`| ${code(path)} | ${typeOf(field)}${optional} |`);
    const inner = innerObject(field) ?? (field.type === 'array' && field.items ? innerObject(field.items) : undefined);
    if (inner) rows.push(...fieldRows(inner, field.type === 'array' ? `${path}[].` : `${path}.`));
  }
  return rows;
}

function section(id: string, s: JsonSchema): string {
  const lines = [`### ${id}`, ''];
  const description = apiSchemaDescriptions.get(id);
  if (description) lines.push(description, '');
  if (isObject(s)) {
    if (Object.keys(s.properties!).length === 0) lines.push('An empty object: `{}`.');
    else lines.push('| field | type |', '|---|---|', ...fieldRows(s));
  } else {
    lines.push(`One of: ${typeOf(s)}.`);
  }
  return lines.join('\n');
}

/** The generated part of docs/api.md, markers included. */
export function renderSchemaReference(): string {
  const { schemas } = z.toJSONSchema(apiSchemas, { uri: (id) => id, unrepresentable: 'any' });
  const sections = Object.entries(schemas).map(([id, schema]) => section(id, schema as JsonSchema));
  return [GENERATED_BEGIN, ...sections, GENERATED_END].join('\n\n');
}

/** docs/api.md with its generated part replaced by `generated`. */
export function withSchemaReference(doc: string, generated: string): string {
  const begin = doc.indexOf(GENERATED_BEGIN);
  const end = doc.indexOf(GENERATED_END);
  if (begin < 0 || end < begin) throw new Error('docs/api.md has no generated schema reference markers');
  return doc.slice(0, begin) + generated + doc.slice(end + GENERATED_END.length);
}
