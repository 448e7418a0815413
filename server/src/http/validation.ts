import type { Context } from 'hono';
import type { z } from 'zod';
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
  return result.data;
}
