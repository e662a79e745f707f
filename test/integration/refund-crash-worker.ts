/**
 * A worker, in a process of its own, that dies (SIGKILL: no clean-up, no
 * report to Temporal) the moment a refund has committed: the worst time for
 * a worker to crash. Started by test/integration/money.test.ts.
 */
import { NativeConnection } from '@temporalio/worker';
import { createLedgerRepository } from '../../src/db/ledger-repository.ts';
import { createPrisma } from '../../src/db/prisma.ts';
import { createDataConverter } from '../../src/temporal/data-converter.ts';
import { parseCodecKeys } from '../../src/temporal/payload-codec.ts';
import { createWorkerDeps } from '../../src/worker/activity-deps.ts';
import { createOrderWorker } from '../../src/worker/create-worker.ts';
import { TEST_VERSION } from './harness.ts';

const { DATABASE_URL, TEMPORAL_ADDRESS, CARRIER_BASE_URL, CALLBACK_URL, PAYLOAD_CODEC_KEYS } = process.env as {
  [name in 'DATABASE_URL' | 'TEMPORAL_ADDRESS' | 'CARRIER_BASE_URL' | 'CALLBACK_URL' | 'PAYLOAD_CODEC_KEYS']: string;
};
const prisma = createPrisma(DATABASE_URL);
const ledger = createLedgerRepository(prisma);
const deps = createWorkerDeps(prisma, {
  carrierBaseUrl: CARRIER_BASE_URL,
  carrierTimeoutMs: 2_000,
  publicBaseUrl: new URL(CALLBACK_URL).origin,
  breaker: { faultsToOpen: 3, coolDownMs: 1_000 },
});
const worker = await createOrderWorker({
  connection: await NativeConnection.connect({ address: TEMPORAL_ADDRESS }),
  namespace: 'default',
  // The stack's version: its orders are pinned to it.
  version: TEST_VERSION,
  // The stack's payloads are encrypted: this worker reads them with the stack's key.
  dataConverter: createDataConverter(parseCodecKeys(PAYLOAD_CODEC_KEYS)),
  deps: {
    ...deps,
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
