import type { Context } from 'hono';
import type { z } from 'zod';
import { unsafeTextReason } from '@attune/protocol';
import { ApiError, fieldErrors } from './errors.ts';

export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, 'validation_failed', 'Request body must be JSON', { '(body)': 'not valid JSON' });
  }
  return parse(schema, body, 'Request body is invalid');
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parse(schema, c.req.query(), 'Query is invalid');
}

export function parseParam<S extends z.ZodType>(schema: S, value: unknown, name: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(404, 'not_found', `No such ${name}`);
  return result.data;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, message: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, 'validation_failed', message, fieldErrors(result.error));
  const unsafe = unsafeStrings(result.data);
  if (Object.keys(unsafe).length > 0) throw new ApiError(400, 'validation_failed', message, unsafe);
  return result.data;
}

/**
 * Every string of a parsed body or query, checked once here rather than field by field: control
 * characters (line breaks and tabs aside), lone surrogates and non-characters are refused with the
 * field named, before anything reaches the database (which refuses U+0000 with an error, not a 400).
 */
function unsafeStrings(value: unknown, path = '', found: Record<string, string> = {}): Record<string, string> {
  if (typeof value === 'string') {
    const reason = unsafeTextReason(value, { allowLineBreaks: true });
    if (reason) found[path || '(body)'] = reason;
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => unsafeStrings(v, path ? `${path}.${i}` : String(i), found));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) unsafeStrings(v, path ? `${path}.${k}` : k, found);
  }
  return found;
}
