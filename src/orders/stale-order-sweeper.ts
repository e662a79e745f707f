import type { Client } from '@temporalio/client';
import type { OrderRepository, OrderRow } from '../db/order-repository.ts';
import type { Logger } from '../util/logger.ts';
import { OrderStatus } from '../shared/order-status.ts';
import { startOrderWorkflow } from './start-order-workflow.ts';

export interface SweeperOptions {
  /** A PENDING order older than this may have lost its workflow start (a crash between insert and start). */
  staleAfterMs: number;
  batchSize: number;
}

/**
 * The repair half of "insert the order, then start its workflow": finds
 * orders stuck in PENDING and (re)starts their workflows, which is a no-op
 * for those that already run. Returns how many it looked at.
 */
export async function sweepStalePendingOrders(deps: { orders: OrderRepository; temporal: Client; slaSeconds: number; logger: Logger }, options: SweeperOptions): Promise<number> {
  let swept = 0;
  // Pages through every stale order: orders that merely wait on a slow carrier stay PENDING too, and must not hide a lost start.
  for (let after: OrderRow | undefined; ; ) {
    const page = await deps.orders.listOrders({ status: OrderStatus.PENDING, olderThanSeconds: options.staleAfterMs / 1000, limit: options.batchSize, ...(after && { after }) });
    for (const order of page) {
      await startOrderWorkflow(deps.temporal, order, deps.slaSeconds);
      deps.logger.info({ orderId: order.id }, 'ensured workflow of a stale PENDING order');
    }
    swept += page.length;
    after = page.at(-1);
    if (page.length < options.batchSize) return swept;
  }
}
