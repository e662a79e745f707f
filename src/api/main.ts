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
import { scheduleStaleOrderSweeps } from '../orders/stale-order-sweeper.ts';
import { createTemporalClient } from '../temporal/connection.ts';
import { createApp } from './app.ts';

const SWEEP_EVERY_MS = 30_000;
/** Long enough that a normal start has happened; short enough that a lost one costs little of the SLA. */
const STALE_AFTER_MS = 30_000;

const config = loadConfig();
if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) throw new Error('The API needs DATABASE_URL and TEMPORAL_ADDRESS (npm start sets both)');
const logger = createLogger('api', config.LOG_LEVEL);
const prisma = createPrisma(config.DATABASE_URL);
const temporal = await createTemporalClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
const deps = {
  orders: createOrderRepository(prisma),
  merchants: createMerchantRepository(prisma),
  ledger: createLedgerRepository(prisma),
  reconciliations: createReconciliationRepository(prisma),
  temporal,
  logger,
  callbackSecret: config.CARRIER_CALLBACK_SECRET,
  adminToken: config.ADMIN_TOKEN,
  slaSeconds: config.SLA_SECONDS,
};

const server = serve({ fetch: createApp(deps).fetch, port: config.PORT }, (info) => logger.info({ port: info.port }, 'API listening'));
const stopSweeps = scheduleStaleOrderSweeps(
  { ...deps, leases: createJobLeaseRepository(prisma), instanceId: `api ${hostname()}:${process.pid}` },
  { everyMs: SWEEP_EVERY_MS, staleAfterMs: STALE_AFTER_MS, batchSize: 100 },
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopSweeps();
    server.close(async () => {
      await temporal.connection.close();
      await prisma.$disconnect();
    });
  });
}
