import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { except } from 'hono/combine';
import { requestId } from 'hono/request-id';
import { timing } from 'hono/timing';
import { adminAuth } from './admin-auth.ts';
import type { ApiDeps } from './deps.ts';
import { databaseDeadline } from './database-deadline.ts';
import { onError, problem } from './errors.ts';
import { jsonBodyGuard } from './json-body-guard.ts';
import { createMerchantCache, merchantAuth } from './merchant-auth.ts';
import { unrouted } from './method-not-allowed.ts';
import { adminMerchantRoutes } from './routes/admin-merchants.ts';
import { adminOrderRoutes } from './routes/admin-orders.ts';
import { adminReconciliationRoutes } from './routes/admin-reconciliations.ts';
import { adminReportRoutes } from './routes/admin-reports.ts';
import { adminRiskRoutes } from './routes/admin-risk.ts';
import { BILL_UPLOAD_PATH, adminSupplierBillRoutes, isCsv } from './routes/admin-supplier-bills.ts';
import { adminSupplierRoutes } from './routes/admin-suppliers.ts';
import { balanceRoutes } from './routes/balance.ts';
import { callbacksRoutes } from './routes/callbacks.ts';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { numberRoutes } from './routes/numbers.ts';
import { ordersRoutes } from './routes/orders.ts';
import { productRoutes } from './routes/products.ts';
import { statementRoutes } from './routes/statements.ts';
import { requestLog } from './request-log.ts';
import { noQuery } from './request-schemas.ts';
import { urlGuard } from './url-guard.ts';
import { validate } from './validate.ts';

/** Orders and callbacks are small JSON documents; anything larger is refused unread. */
const MAX_BODY_BYTES = 16 * 1024;
/** A supplier's bill sent as CSV: its route reads it under a limit of its own, after the operator's token is checked. */
const isBillUpload = (c: Context) => c.req.method === 'POST' && BILL_UPLOAD_PATH.test(c.req.path) && isCsv(c);

export function createApp(deps: ApiDeps) {
  const merchantCache = createMerchantCache();
  const asMerchant = merchantAuth(deps.merchants, deps.rateLimits, merchantCache);
  const app = new Hono()
    // X-Request-Id on every answer: the caller's own (letters, digits, "-_=", at most 255), or a new UUID.
    .use(requestId())
    .use(requestLog(deps.logger, deps.metrics))
    // Server-Timing on every answer: where a slow request spent its time (the benchmark reads it too).
    .use(timing())
    // While the database does not answer, every request is still answered in time: 503, naming it.
    .use(databaseDeadline(deps.databaseStalls))
    // Hostile input stops here, for every route, before any database or Temporal call.
    .use(urlGuard())
    .use(
      except(
        isBillUpload,
        bodyLimit({
          maxSize: MAX_BODY_BYTES,
          onError: (c) => problem(c, 413, 'body_too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes`),
        }),
      ),
    )
    .use(except(isBillUpload, jsonBodyGuard()))
    .route('/', healthRoutes(deps))
    // Prometheus scrapes it: keep it off the merchant-facing edge (a load balancer rule), as /admin is.
    .get('/metrics', validate('query', noQuery), async (c) =>
      c.body(await deps.metrics.registry.metrics(), 200, { 'content-type': deps.metrics.registry.contentType }),
    )
    .route('/orders', ordersRoutes(deps, asMerchant))
    .route('/balance', balanceRoutes(deps, asMerchant))
    .route('/numbers', numberRoutes(deps, asMerchant))
    .route('/products', productRoutes(deps, asMerchant))
    .route('/statements', statementRoutes(deps, asMerchant))
    .route('/callbacks', callbacksRoutes(deps))
    .use('/admin/*', adminAuth({ operators: deps.operators, bootstrapToken: deps.adminBootstrapToken }))
    .route('/admin', adminOrderRoutes(deps))
    .route('/admin/merchants', adminMerchantRoutes(deps, merchantCache))
    .route('/admin/reconciliations', adminReconciliationRoutes(deps))
    .route('/admin/suppliers', adminSupplierRoutes(deps))
    .route('/admin/suppliers', adminSupplierBillRoutes(deps))
    .route('/admin/reports', adminReportRoutes(deps))
    .route('/admin', adminRiskRoutes(deps))
    .onError(onError(deps.logger));
  app.notFound(unrouted(app));
  // The API's description, made from the routes above at each request.
  return app.route('/', docsRoutes(app));
}
