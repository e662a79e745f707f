import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { DAY_PATTERN, isCalendarDay } from '../../shared/calendar-days.ts';
import type { StoredRun } from '../../db/supplier-bill-repository.ts';
import type { BillReconciliationResult } from '../../supplier-bills/reconcile-bill.ts';
import type { ApiDeps } from '../deps.ts';
import { invalidRequest, problem, supplierNotFound } from '../errors.ts';
import { noQuery, supplierIdParam } from '../request-schemas.ts';
import { validate } from '../validate.ts';

type Deps = Pick<ApiDeps, 'supplierBills' | 'logger'>;

/** A bill sent as CSV may be far larger than the API's 16 KiB JSON bodies: 8 MiB, some 80,000 lines. */
export const BILL_MAX_BYTES = 8 * 1024 * 1024;
/** The route a bill is uploaded to (app.ts lets its CSV past the JSON body limit and guard). */
export const BILL_UPLOAD_PATH = /^\/admin\/suppliers\/[^/]+\/bill-reconciliations\/?$/;
export const isCsv = (c: Context) =>
  /^text\/csv$/i.test((c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? '');

const day = z
  .string()
  .regex(DAY_PATTERN, 'must be a day, YYYY-MM-DD')
  .refine(isCalendarDay, 'must be a day, YYYY-MM-DD')
  .meta({ format: 'date', examples: ['2026-12-04'] });
const runBody = z.strictObject({ date: day }).meta({ examples: [{ date: '2026-12-04' }] });
/** With a CSV body the day is in the query; with a JSON body, in the body. */
const runQuery = z.strictObject({ date: day.optional() }).meta({
  description:
    'The bill is fetched from the supplier (JSON body `{date}`), or sent as the body with `Content-Type: text/csv` and `?date=` (at most 8 MiB).',
});
const runParam = supplierIdParam.extend({
  runId: z
    .string()
    .regex(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      'must be a bill reconciliation id (a UUID)',
    ),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A run as the API shows it. */
const runJson = ({ id, supplierId, day: date, trigger, billed, recorded, differences }: StoredRun) => ({
  runId: id,
  supplierId,
  date,
  trigger,
  status: differences.length === 0 ? 'MATCHED' : 'DIFFERENCES',
  billed,
  recorded,
  differences,
});

/** 201 with the run, or why there is none. */
function answer(c: Context, { logger }: Deps, supplierId: string, result: BillReconciliationResult) {
  switch (result.kind) {
    case 'no-supplier':
      return supplierNotFound(c, supplierId);
    case 'bad-bill':
      return problem(c, 400, 'invalid_bill', `The CSV is not a bill of that day: ${result.message}`);
    case 'unavailable':
      return problem(c, 502, 'bill_unavailable', `The bill of ${supplierId} could not be fetched: ${result.message}`);
    case 'done': {
      const { run } = result;
      if (run.differences.length > 0)
        logger.warn(
          { supplierId, day: run.day, runId: run.id, differences: run.differences.length },
          'supplier bill differences',
        );
      c.header('Location', `/admin/suppliers/${supplierId}/bill-reconciliations/${run.id}`);
      return c.json(runJson(run), 201);
    }
  }
}

/** Reconciles the CSV bill in the body, of the day in the query. */
async function reconcileUpload(c: Context, deps: Deps): Promise<Response> {
  const { supplierId } = c.req.param() as { supplierId: string };
  const date = c.req.query('date');
  if (date === undefined)
    return invalidRequest(c, [{ field: 'date', message: 'is required with a CSV body: ?date=YYYY-MM-DD' }]);
  let csv: string;
  try {
    csv = utf8.decode(await c.req.arrayBuffer());
  } catch {
    return invalidRequest(c, [{ field: '(body)', message: 'is not valid UTF-8' }]);
  }
  return answer(
    c,
    deps,
    supplierId,
    await deps.supplierBills.reconcile({ supplierId, day: date, trigger: 'upload', csv }),
  );
}

/** A bill sent as CSV: read here (UTF-8, at most BILL_MAX_BYTES), since the JSON validators take JSON only. */
function csvUpload(deps: Deps): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: BILL_MAX_BYTES,
    onError: (c) => problem(c, 413, 'body_too_large', `A bill is limited to ${BILL_MAX_BYTES} bytes`),
  });
  return async (c, next) => {
    if (!isCsv(c)) return next();
    return limit(c, async () => {
      c.res = await reconcileUpload(c, deps);
    });
  };
}

/** Supplier bill reconciliation (上游对账): run one now, read any run. */
export function adminSupplierBillRoutes(deps: Deps) {
  return new Hono()
    .post(
      '/:supplierId/bill-reconciliations',
      validate('param', supplierIdParam),
      validate('query', runQuery),
      csvUpload(deps),
      validate('json', runBody),
      async (c) => {
        const { supplierId } = c.req.valid('param');
        if (c.req.valid('query').date !== undefined)
          return invalidRequest(c, [{ field: 'date', message: 'goes in the body unless the body is a CSV bill' }]);
        const result = await deps.supplierBills.reconcile({
          supplierId,
          day: c.req.valid('json').date,
          trigger: 'api',
        });
        return answer(c, deps, supplierId, result);
      },
    )
    .get(
      '/:supplierId/bill-reconciliations/:runId',
      validate('param', runParam),
      validate('query', noQuery),
      async (c) => {
        const { supplierId, runId } = c.req.valid('param');
        const run = await deps.supplierBills.run(supplierId, runId);
        if (!run)
          return problem(
            c,
            404,
            'bill_reconciliation_not_found',
            `Supplier ${supplierId} has no bill reconciliation ${runId}`,
          );
        return c.json(runJson(run));
      },
    );
}
