/**
 * The design documents' own design, for comparison: the API pushes orders to
 * a Redis list, a recharge consumer calls the carrier, the carrier's callback
 * is pushed to a results list, and an updater writes the result to
 * PostgreSQL. No durable timers, no retries, no history: what durability costs
 * is the difference.
 */
import type pg from 'pg';
import type { Carrier } from '../../src/shared/carriers.ts';

export const ORDERS_LIST = 'bench:recharge_orders';
export const RESULTS_LIST = 'bench:recharge_results';

export interface QueuedOrder {
  merchantOrderNo: string;
  phone: string;
  carrier: Carrier;
  amountYuan: number;
}

export interface QueuedResult {
  merchantOrderNo: string;
  status: 'success' | 'failed';
}

/** The pipeline's order table (statuses as in the documents: pending, success, failed). */
export async function createQueueOrderTable(pool: pg.Pool): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS queue_orders (
    merchant_order_no TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    amount_yuan INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    created_at TIMESTAMPTZ(3) NOT NULL DEFAULT clock_timestamp(),
    updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT clock_timestamp()
  )`);
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}
