/** The pipeline's updater: takes results off the list and writes them to the order table. */
import { Redis } from 'ioredis';
import pg from 'pg';
import { RESULTS_LIST, requiredEnv, type QueuedResult } from './shared.ts';

const CONSUMERS = 4;
const pool = new pg.Pool({ connectionString: requiredEnv('DATABASE_URL'), max: CONSUMERS });
let running = true;

async function consume(): Promise<void> {
  const redis = new Redis(requiredEnv('REDIS_URL'));
  while (running) {
    const popped = await redis.blpop(RESULTS_LIST, 1);
    if (!popped) continue;
    const result = JSON.parse(popped[1]) as QueuedResult;
    await pool.query(
      "UPDATE queue_orders SET status = $2, updated_at = clock_timestamp() WHERE merchant_order_no = $1 AND status = 'pending'",
      [result.merchantOrderNo, result.status],
    );
  }
  redis.disconnect();
}

process.once('SIGTERM', () => void (running = false));
await Promise.all(Array.from({ length: CONSUMERS }, consume));
await pool.end();
