import { NativeConnection, Runtime } from '@temporalio/worker';
import { createCarrierClient } from '../carrier/client.ts';
import { loadConfig } from '../config.ts';
import { createOrderRepository } from '../db/order-repository.ts';
import { createPrisma } from '../db/prisma.ts';
import { createOrderWorker } from './create-worker.ts';

const config = loadConfig();
if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) throw new Error('The worker needs DATABASE_URL and TEMPORAL_ADDRESS (npm start sets both)');

if (config.WORKER_METRICS_ADDRESS) {
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS } } } });
}
const prisma = createPrisma(config.DATABASE_URL);
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
const worker = await createOrderWorker({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  deps: {
    orders: createOrderRepository(prisma),
    carrier: createCarrierClient(config.CARRIER_BASE_URL, config.CARRIER_TIMEOUT_MS),
    callbackUrl: config.callbackUrl,
    merchantNotifySecret: config.MERCHANT_NOTIFY_SECRET,
    alertWebhookUrl: config.ALERT_WEBHOOK_URL,
  },
});
// Worker.run() shuts down gracefully on SIGINT/SIGTERM: in-flight tasks finish first.
await worker.run();
await connection.close();
await prisma.$disconnect();
