/** One error shape for every route (docs/api.md): `{ error: { code, message, fields? } }`, never a stack trace. */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { ApiErrorBody, ApiErrorCode } from '@attune/protocol/api';
import type { Logger } from '../platform/logger.ts';
import { DomainError } from '../domain/errors.ts';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export function errorBody(code: ApiErrorCode, message: string, fields?: Record<string, string>): ApiErrorBody {
  return { error: { code, message, ...(fields ? { fields } : {}) } };
}

export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[issue.path.join('.') || '(body)'] ??= issue.message;
  return fields;
}

const ACTION_STATUS: Record<DomainError['code'], ContentfulStatusCode> = {
  not_found: 404,
  conflict: 409,
  bed_has_active_stay: 409,
  bed_has_device: 409,
  ward_has_active_beds: 409,
  validation_failed: 400,
  rate_limited: 429,
};

export function handleError(logger: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof ApiError) return c.json(errorBody(error.code, error.message, error.fields), error.status);
    if (error instanceof DomainError) return c.json(errorBody(error.code, error.message, error.fields), ACTION_STATUS[error.code]);
    if (error instanceof HTTPException) {
      const code =
        error.status === 401 ? 'unauthenticated' : error.status === 403 ? 'forbidden' : error.status === 404 ? 'not_found' : 'bad_request';
      return c.json(errorBody(code, error.message || code), error.status as ContentfulStatusCode);
    }
    const requestId = randomUUID();
    logger.error('request failed', { requestId, method: c.req.method, path: c.req.path, error: error.message, stack: error.stack });
    return c.json(errorBody('internal', `Something went wrong (request ${requestId})`), 500);
  };
}
