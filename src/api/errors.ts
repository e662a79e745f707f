import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../util/logger.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

/** Every error the API returns has this shape: a stable code, a sentence, and the fields at fault. */
export function problem(c: Context, status: ContentfulStatusCode, error: string, message: string, fields?: FieldProblem[]) {
  return c.json({ error, message, ...(fields && { fields }) }, status);
}

export function fieldProblems(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(body)', message: issue.message }));
}

export function invalidRequest(c: Context, fields: FieldProblem[]) {
  return problem(c, 400, 'invalid_request', `Invalid ${fields.map((f) => f.field).join(', ')}`, fields);
}

export function orderNotFound(c: Context, what: string) {
  return problem(c, 404, 'order_not_found', `No order ${what}`);
}

export function merchantNotFound(c: Context, merchantId: string) {
  return problem(c, 404, 'merchant_not_found', `No merchant ${merchantId}`);
}

export function notFound(c: Context) {
  return problem(c, 404, 'not_found', `No route for ${c.req.method} ${c.req.path}`);
}

export function onError(logger: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof HTTPException && error.status < 500) {
      return problem(c, error.status as ContentfulStatusCode, error.status === 400 ? 'invalid_request' : 'request_refused', error.message);
    }
    logger.error({ err: error, path: c.req.path }, 'request failed');
    return problem(c, 500, 'internal_error', 'Internal error; the request is safe to retry (orders are idempotent by merchantOrderNo)');
  };
}
