import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isDatabaseUnavailable } from '../db/database-unavailable.ts';
import type { Logger } from '../util/logger.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

/** Every error the API returns has this shape: a stable code, a sentence, and the fields at fault. */
export function problem(
  c: Context,
  status: ContentfulStatusCode,
  error: string,
  message: string,
  fields?: FieldProblem[],
) {
  // The request log counts a refused order by its code (see http-metrics.ts).
  (c as Context<ProblemEnv>).set('problem', error);
  return c.json({ error, message, ...(fields && { fields }) }, status);
}

/** The code of the problem a request was answered with, for the request log. */
export type ProblemEnv = { Variables: { problem?: string } };

type Issue = { path: readonly PropertyKey[]; message: string; keys?: readonly string[] };

const fieldName = (path: readonly PropertyKey[]) => path.map(String).join('.') || '(body)';

/** One problem per field at fault; an unknown key (zod's unrecognized_keys, one issue for all of them) is named itself. */
export function fieldProblems(error: { issues: readonly Issue[] }): FieldProblem[] {
  return error.issues.flatMap((issue) =>
    issue.keys
      ? issue.keys.map((key) => ({ field: fieldName([...issue.path, key]), message: 'is not a known field' }))
      : [{ field: fieldName(issue.path), message: issue.message }],
  );
}

export function invalidRequest(c: Context, fields: FieldProblem[]) {
  return problem(c, 400, 'invalid_request', `Invalid ${fields.map((f) => f.field).join(', ')}`, fields);
}

/** A request well formed by the document that breaks a rule across its fields, which the document states in words. */
export function invalidCombination(c: Context, fields: FieldProblem[]) {
  return problem(c, 422, 'invalid_combination', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
}

/** An admin's idempotency key reused for another money entry. */
export function requestIdConflict(c: Context, requestId: string, entryId: bigint | string) {
  return problem(
    c,
    409,
    'request_id_conflict',
    `requestId ${requestId} was already used for a different entry (entry ${entryId})`,
  );
}

export function orderNotFound(c: Context, what: string) {
  return problem(c, 404, 'order_not_found', `No order ${what}`);
}

export function merchantNotFound(c: Context, merchantId: string) {
  return problem(c, 404, 'merchant_not_found', `No merchant ${merchantId}`);
}

export function supplierNotFound(c: Context, supplierId: string) {
  return problem(c, 404, 'supplier_not_found', `No supplier ${supplierId}`);
}

export function notFound(c: Context) {
  return problem(c, 404, 'not_found', `No route for ${c.req.method} ${c.req.path}`);
}

/** Seconds a client should wait before it retries while the database is away (a restart takes a few). */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The database is away (stopped, restarting, frozen): an expected event with an expected answer, safe to retry. */
export function databaseUnavailable(c: Context) {
  c.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
  return problem(
    c,
    503,
    'database_unavailable',
    `The database is not answering; retry in ${DATABASE_RETRY_AFTER_SECONDS} s (orders are idempotent by merchantOrderNo)`,
  );
}

/** The client closed the connection while its request was being read (Node's IncomingMessage fails the body stream so). */
const clientAborted = (error: Error, c: Context) =>
  c.req.raw.signal.aborted || ((error as { code?: unknown }).code === 'ECONNRESET' && error.message === 'aborted');

export function onError(logger: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof HTTPException && error.status < 500) {
      return problem(c, error.status, error.status === 400 ? 'invalid_request' : 'request_refused', error.message);
    }
    if (clientAborted(error, c)) {
      // The client's doing, not ours: no error log, no 5xx (nobody is left to read the answer anyway).
      logger.info({ path: c.req.path }, 'client closed the connection before its request was read');
      return problem(c, 400, 'request_aborted', 'The connection closed before the request was complete');
    }
    if (isDatabaseUnavailable(error)) {
      logger.info({ path: c.req.path, reason: error.message.split('\n').at(-1) }, 'database unavailable: answered 503');
      return databaseUnavailable(c);
    }
    logger.error({ err: error, path: c.req.path }, 'request failed');
    return problem(
      c,
      500,
      'internal_error',
      'Internal error; the request is safe to retry (orders are idempotent by merchantOrderNo)',
    );
  };
}

/** A well-formed mobile number whose segment (its first 7 digits) the number-segment table does not know: 404 to a lookup, 422 to an order. */
export const unknownSegment = (c: Context, status: 404 | 422) =>
  problem(
    c,
    status,
    'unknown_segment',
    `The number segment table does not know this number's segment (its first 7 digits)${status === 422 ? '; nothing was stored' : ''}.`,
  );
