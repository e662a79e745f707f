import { NativeConnection, Runtime } from '@temporalio/worker';
import { createCarrierClient } from '../carrier/client.ts';
import { loadConfig } from '../config.ts';
import { createLedgerRepository } from '../db/ledger-repository.ts';
import { createOrderRepository } from '../db/order-repository.ts';
import { createPrisma } from '../db/prisma.ts';
import { createReconciliationRepository } from '../db/reconciliation-repository.ts';
import { createTemporalClient } from '../temporal/connection.ts';
import { ensureReconciliationSchedule } from '../temporal/reconciliation-schedule.ts';
import { createOrderWorker } from './create-worker.ts';

const config = loadConfig();
if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) throw new Error('The worker needs DATABASE_URL and TEMPORAL_ADDRESS (npm start sets both)');

if (config.WORKER_METRICS_ADDRESS) {
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS } } } });
}
const prisma = createPrisma(config.DATABASE_URL);
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
const client = await createTemporalClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
await ensureReconciliationSchedule(client, config.SLA_SECONDS);
await client.connection.close();
const worker = await createOrderWorker({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  deps: {
    orders: createOrderRepository(prisma),
    carrier: createCarrierClient(config.CARRIER_BASE_URL, config.CARRIER_TIMEOUT_MS),
    callbackUrl: config.callbackUrl,
    ledger: createLedgerRepository(prisma),
    reconciliations: createReconciliationRepository(prisma),
    alertWebhookUrl: config.ALERT_WEBHOOK_URL,
  },
});
// Worker.run() shuts down gracefully on SIGINT/SIGTERM: in-flight tasks finish first.
await worker.run();
await connection.close();
await prisma.$disconnect();
