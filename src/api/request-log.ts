import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { HttpMetrics } from '../observability/http-metrics.ts';
import type { Logger } from '../util/logger.ts';

/**
 * One structured line per request (method, route, status, duration, merchant
 * and request id) and its metrics. The route is the matched pattern
 * (`/orders/:orderId`), so no id or phone number ends up in a log line or a
 * metric label; an unmatched path counts as `(unmatched)`.
 */
export function requestLog(
  logger: Logger,
  metrics: HttpMetrics,
): MiddlewareHandler<{ Variables: { requestId: string; merchant?: { id: string }; problem?: string } }> {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = c.res.status === 404 && routePath(c, -1) === '/*' ? '(unmatched)' : routePath(c, -1);
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      metrics.observe({
        method: c.req.method,
        route,
        status: c.res.status,
        seconds: durationMs / 1000,
        problem: c.get('problem'),
      });
      logger.info(
        {
          requestId: c.get('requestId'),
          method: c.req.method,
          route,
          status: c.res.status,
          durationMs,
          merchantId: c.get('merchant')?.id,
        },
        'request',
      );
    }
  };
}
