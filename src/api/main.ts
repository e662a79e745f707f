import { hostname } from 'node:os';
import { serve } from '@hono/node-server';
import { loadConfig } from '../config.ts';
import { createJobLeaseRepository } from '../db/job-lease-repository.ts';
import { createLedgerRepository } from '../db/ledger-repository.ts';
import { createMerchantRepository } from '../db/merchant-repository.ts';
import { createOrderRepository } from '../db/order-repository.ts';
import { createReconciliationRepository } from '../db/reconciliation-repository.ts';
import { createPrisma } from '../db/prisma.ts';
import { createLogger } from '../util/logger.ts';
import { createServices } from '../orders/services.ts';
import { scheduleStaleOrderSweeps } from '../orders/stale-order-sweeper.ts';
import { createTemporalClient } from '../temporal/connection.ts';
import { createApp } from './app.ts';
import type { ApiDeps } from './deps.ts';

const SWEEP_EVERY_MS = 30_000;
/** Long enough that a normal start has happened; short enough that a lost one costs little of the SLA. */
const STALE_AFTER_MS = 30_000;

const config = loadConfig();
if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) throw new Error('The API needs DATABASE_URL and TEMPORAL_ADDRESS (npm start sets both)');
const logger = createLogger('api', config.LOG_LEVEL);
const prisma = createPrisma(config.DATABASE_URL);
const temporal = await createTemporalClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
const orders = createOrderRepository(prisma);
const merchants = createMerchantRepository(prisma);
const ledger = createLedgerRepository(prisma);
const slaSeconds = config.SLA_SECONDS;
const services = createServices({ orders, ledger, reconciliations: createReconciliationRepository(prisma), temporal, logger, slaSeconds });
const deps: ApiDeps = { ...services, merchants, ledger, logger, callbackSecret: config.CARRIER_CALLBACK_SECRET, adminToken: config.ADMIN_TOKEN };

const server = serve({ fetch: createApp(deps).fetch, port: config.PORT }, (info) => logger.info({ port: info.port }, 'API listening'));
const stopSweeps = scheduleStaleOrderSweeps(
  { orders, temporal, slaSeconds, logger, leases: createJobLeaseRepository(prisma), instanceId: `api ${hostname()}:${process.pid}` },
  { everyMs: SWEEP_EVERY_MS, staleAfterMs: STALE_AFTER_MS, batchSize: 100 },
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopSweeps();
    server.close(() => void temporal.connection.close().then(() => prisma.$disconnect()));
  });
}
