import type { Client } from '@temporalio/client';
import type { JobLeaseRepository } from '../db/job-lease-repository.ts';
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
  for (let after: OrderRow | undefined; ;) {
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

/** The lease name shared by every API replica: the sweep runs once per interval per deployment, not once per replica. */
export const SWEEP_JOB = 'stale-pending-orders';

/**
 * Every replica ticks; only the one that claims the due run in PostgreSQL
 * sweeps (a lease row, not a Temporal Schedule: this job repairs orders whose
 * start Temporal did not take, so it must not depend on Temporal to run).
 * A sweep that outlasts its lease (Temporal down, many orders) may meet
 * another replica's next one: harmless, since each start is idempotent.
 */
export function scheduleStaleOrderSweeps(
  deps: Parameters<typeof sweepStalePendingOrders>[0] & { leases: JobLeaseRepository; instanceId: string },
  options: SweeperOptions & { everyMs: number },
): () => void {
  let sweeping = false;
  const tick = async () => {
    // The lease runs out a little before the next tick, so that timer jitter cannot make a replica miss its turn.
    if (sweeping || !(await deps.leases.claim(SWEEP_JOB, options.everyMs * 0.9, deps.instanceId))) return;
    sweeping = true;
    try {
      const swept = await sweepStalePendingOrders(deps, options);
      if (swept > 0) deps.logger.info({ swept }, 'stale-order sweep done');
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void tick().catch((err) => deps.logger.error({ err }, 'stale-order sweep failed')), options.everyMs);
  return () => clearInterval(timer);
}
