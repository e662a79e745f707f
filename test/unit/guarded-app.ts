import { createApp } from '../../src/api/app.ts';
import { inProcessClient } from './app-request.ts';
import type { ApiDeps } from '../../src/api/deps.ts';
import { createServices, type ServiceDeps } from '../../src/orders/services.ts';
import { createHttpMetrics } from '../../src/observability/http-metrics.ts';
import { createRateLimits } from '../../src/api/rate-limits.ts';
import { createReadiness } from '../../src/observability/readiness.ts';
import { createLogger } from '../../src/util/logger.ts';

export const ADMIN = { authorization: 'Bearer unit-admin-token' };
export const MERCHANT = { authorization: 'Bearer unit-merchant-key' };

/**
 * The real app over dependencies that only record what is asked of them
 * (and fail if used): a request the API refuses up front must leave `touched`
 * empty, i.e. no database or Temporal call. The merchant key lookup answers,
 * so merchant routes get past authentication.
 */
export function guardedApp() {
  const touched: string[] = [];
  const recorder = (name: string, answers: Record<string, unknown> = {}) =>
    new Proxy(answers, {
      get(target, property) {
        if (typeof property === 'symbol' || property === 'then') return undefined;
        if (property in target) return target[property];
        touched.push(`${name}.${property}`);
        return () => {
          throw new Error(`${name}.${property} is not available in unit tests`);
        };
      },
    });
  const merchant = {
    id: 'demo',
    name: 'unit',
    rates: { CMCC: '1', CUCC: '1', CTCC: '1' },
    limits: { submitPerSecond: null, readPerSecond: null },
  };
  const ledger = recorder('ledger');
  const logger = createLogger('unit', 'silent');
  const services = createServices({
    orders: recorder('orders'),
    ledger,
    reconciliations: recorder('reconciliations'),
    temporal: recorder('temporal'),
    logger,
    slaSeconds: 180,
  } as unknown as ServiceDeps);
  const deps = {
    ...services,
    merchants: recorder('merchants', { findByApiKeyHash: async () => merchant }),
    ledger,
    logger,
    callbackSecret: 'unit-callback-secret',
    operators: recorder('operators'),
    adminBootstrapToken: 'unit-admin-token',
    metrics: createHttpMetrics(),
    rateLimits: createRateLimits({ merchantPerSecond: 100_000, failedKeysPerMinute: 100_000 }),
    databaseStalls: { stalled: async () => false },
    readiness: createReadiness({}),
  } as unknown as ApiDeps;
  const app = createApp(deps);
  return {
    app,
    touched,
    request: inProcessClient(app),
  };
}
