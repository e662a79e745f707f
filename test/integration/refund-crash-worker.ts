/**
 * A worker, in a process of its own, that dies (SIGKILL: no clean-up, no
 * report to Temporal) the moment a refund has committed: the worst time for
 * a worker to crash. Started by test/integration/money.test.ts.
 */
import { NativeConnection } from '@temporalio/worker';
import { createCarrierClient } from '../../src/carrier/client.ts';
import { createLedgerRepository } from '../../src/db/ledger-repository.ts';
import { createOrderRepository } from '../../src/db/order-repository.ts';
import { createPrisma } from '../../src/db/prisma.ts';
import { createReconciliationRepository } from '../../src/db/reconciliation-repository.ts';
import { createOrderWorker } from '../../src/worker/create-worker.ts';

const { DATABASE_URL, TEMPORAL_ADDRESS, CARRIER_BASE_URL, CALLBACK_URL } = process.env as {
  [name in 'DATABASE_URL' | 'TEMPORAL_ADDRESS' | 'CARRIER_BASE_URL' | 'CALLBACK_URL']: string;
};
const prisma = createPrisma(DATABASE_URL);
const ledger = createLedgerRepository(prisma);
const worker = await createOrderWorker({
  connection: await NativeConnection.connect({ address: TEMPORAL_ADDRESS }),
  namespace: 'default',
  deps: {
    orders: createOrderRepository(prisma),
    reconciliations: createReconciliationRepository(prisma),
    carrier: createCarrierClient(CARRIER_BASE_URL, 2_000),
    callbackUrl: CALLBACK_URL,
    alertWebhookUrl: undefined,
    ledger: {
      ...ledger,
      async refundOrder(orderId) {
        const result = await ledger.refundOrder(orderId);
        console.log(`refund committed: ${JSON.stringify(result)}`);
        process.kill(process.pid, 'SIGKILL');
        return result;
      },
    },
  },
});
console.log('worker ready');
await worker.run();
