import { createStatementRepository } from '../db/statement-repository.ts';
import { createStatementService } from '../statements/statement-service.ts';
import { createMerchantLowBalanceAlert } from '../merchants/low-balance-alert.ts';
import { hostname } from 'node:os';
import { serve } from '@hono/node-server';
import { loadConfigOrRefuse, refuseToStart, requireDatabaseInProduction } from '../startup.ts';
import { createJobLeaseRepository } from '../db/job-lease-repository.ts';
import { createLedgerRepository } from '../db/ledger-repository.ts';
import { createMerchantRepository } from '../db/merchant-repository.ts';
import { createOperatorRepository } from '../db/operator-repository.ts';
import { createOrderRepository } from '../db/order-repository.ts';
import { createReconciliationRepository } from '../db/reconciliation-repository.ts';
import { createRiskRepository } from '../db/risk-repository.ts';
import { API_DATABASE_TIMEOUTS, createPrisma, sqlPool } from '../db/prisma.ts';
import { watchDatabaseStalls } from '../db/database-stalls.ts';
import { createSupplierLedgerRepository } from '../db/supplier-ledger-repository.ts';
import { createSupplierRepository } from '../db/supplier-repository.ts';
import { createFirstRouter } from '../suppliers/first-route.ts';
import { createSupplierSnapshot } from '../suppliers/supplier-snapshot.ts';
import { segmentTable } from '../numbers/segments.ts';
import { createLogger } from '../util/logger.ts';
import { createServices } from '../orders/services.ts';
import { createSupplierBillRepository } from '../db/supplier-bill-repository.ts';
import { createSupplierBillService } from '../supplier-bills/bill-service.ts';
import { scheduleDispatchDrains } from '../orders/order-dispatcher.ts';
import { lazyTemporalClient } from '../temporal/connection.ts';
import { temporalSecurity } from '../temporal/connection-security.ts';
import { dataConverterFor } from '../temporal/data-converter.ts';
import { createHttpMetrics, openWorkOf } from '../observability/http-metrics.ts';
import { databaseAndTemporalReadiness } from '../observability/readiness.ts';
import { createApp } from './app.ts';
import { createRateLimits } from './rate-limits.ts';
import type { ApiDeps } from './deps.ts';
import { currentBuildId } from '../util/build-id.ts';

/** Every second, so an order accepted while Temporal was away starts within seconds of its return. */
const DRAIN_EVERY_MS = 1_000;
/** Orders younger than this are left to the fast path that started them right after their commit. */
const DRAIN_GRACE_MS = 2_000;

const config = loadConfigOrRefuse('API');
if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS)
  refuseToStart('API', 'DATABASE_URL and TEMPORAL_ADDRESS must be set (npm start sets both)');
const logger = createLogger('api', config.LOG_LEVEL);
const build = { buildId: currentBuildId(config.BUILD_ID) };
logger.info(build, 'API build');
const prisma = createPrisma(config.DATABASE_URL, 10, API_DATABASE_TIMEOUTS);
await requireDatabaseInProduction('API', config, config.DATABASE_URL, () => prisma.$queryRaw`SELECT 1`);
// Lazy: the API accepts orders while Temporal is away, even if it starts then.
const temporal = lazyTemporalClient(
  config.TEMPORAL_ADDRESS,
  config.TEMPORAL_NAMESPACE,
  dataConverterFor(config.payloadCodecKeys),
  temporalSecurity(config),
);
const orders = createOrderRepository(prisma);
const merchants = createMerchantRepository(prisma);
const ledger = createLedgerRepository(prisma);
const slaSeconds = config.SLA_SECONDS;
const suppliers = createSupplierRepository(prisma);
const offers = createSupplierSnapshot(suppliers);
const supplierBills = createSupplierBillService({ bills: createSupplierBillRepository(prisma), suppliers });
const services = createServices({
  orders,
  ledger,
  reconciliations: createReconciliationRepository(prisma),
  temporal,
  logger,
  slaSeconds,
  slowSlaSeconds: config.SLOW_SLA_SECONDS,
  segments: segmentTable(),
  offers,
  firstRoute: createFirstRouter({ suppliers: offers, breaker: config.breaker }),
  merchantLowBalanceAlert: createMerchantLowBalanceAlert({ logger, alertWebhookUrl: config.ALERT_WEBHOOK_URL }),
});
const deps: ApiDeps = {
  ...services,
  merchants,
  ledger,
  suppliers,
  supplierLedger: createSupplierLedgerRepository(prisma),
  supplierBills,
  risk: createRiskRepository(prisma),
  statements: createStatementService({ statements: createStatementRepository(prisma) }),
  logger,
  callbackSecret: config.CARRIER_CALLBACK_SECRET,
  operators: createOperatorRepository(prisma),
  adminBootstrapToken: config.adminBootstrapToken,
  metrics: createHttpMetrics({ openWork: openWorkOf(orders, merchants, supplierBills), build }),
  rateLimits: createRateLimits({
    merchantPerSecond: config.MERCHANT_RATE_LIMIT_PER_SECOND,
    merchantReadsPerSecond: config.MERCHANT_READ_RATE_LIMIT_PER_SECOND,
    failedKeysPerMinute: config.FAILED_KEY_LIMIT_PER_MINUTE,
    clientAddressHeader: config.CLIENT_ADDRESS_HEADER,
  }),
  databaseStalls: watchDatabaseStalls(sqlPool(prisma)),
  readiness: databaseAndTemporalReadiness({ db: prisma, temporal, build }),
};

const server = serve({ fetch: createApp(deps).fetch, port: config.PORT }, (info) =>
  logger.info({ port: info.port }, 'API listening'),
);
const stopDrains = scheduleDispatchDrains(
  {
    dispatcher: services.orderDispatcher,
    leases: createJobLeaseRepository(prisma),
    instanceId: `api ${hostname()}:${process.pid}`,
    logger,
  },
  { everyMs: DRAIN_EVERY_MS, graceMs: DRAIN_GRACE_MS, batchSize: 100 },
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(
      () =>
        void stopDrains().then(async () => {
          await services.orderDispatcher.idle();
          await temporal.connection.close();
          await prisma.$disconnect();
        }),
    );
  });
}
