/** The pipeline's recharge consumer: takes orders off the list and sends them to the carrier. */
import { Redis } from 'ioredis';
import { createCarrierClient } from '../../src/carrier/client.ts';
import { ORDERS_LIST, RESULTS_LIST, requiredEnv, type QueuedOrder, type QueuedResult } from './shared.ts';

const CONSUMERS = 32; // carrier calls wait on the network, so several run side by side
const carrier = createCarrierClient(requiredEnv('CARRIER_BASE_URL'), 10_000);
const callbackUrl = requiredEnv('CALLBACK_URL');
const results = new Redis(requiredEnv('REDIS_URL'));
let running = true;

async function consume(): Promise<void> {
  const orders = new Redis(requiredEnv('REDIS_URL')); // BLPOP holds its connection
  while (running) {
    const popped = await orders.blpop(ORDERS_LIST, 1);
    if (!popped) continue;
    const order = JSON.parse(popped[1]) as QueuedOrder;
    try {
      const answer = await carrier.submit({
        requestId: order.merchantOrderNo,
        phone: order.phone,
        carrier: order.carrier,
        amountYuan: order.amountYuan,
        callbackUrl,
      });
      if (answer.outcome === 'refused')
        await results.rpush(
          RESULTS_LIST,
          JSON.stringify({ merchantOrderNo: order.merchantOrderNo, status: 'failed' } satisfies QueuedResult),
        );
    } catch {
      await orders.rpush(ORDERS_LIST, popped[1]); // as the documents do: back on the queue, no status check
    }
  }
  orders.disconnect();
}

process.once('SIGTERM', () => void (running = false));
await Promise.all(Array.from({ length: CONSUMERS }, consume));
results.disconnect();
