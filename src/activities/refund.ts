import { log, metricMeter } from '@temporalio/activity';
import type { LedgerRepository } from '../db/ledger-repository.ts';
import type { RefundActivities } from '../shared/order-activities.ts';

export interface RefundActivityDeps {
  ledger: LedgerRepository;
}

export function createRefundActivities({ ledger }: RefundActivityDeps) {
  return {
    /**
     * The compensation of a FAILED order: its debit back to the merchant's
     * balance. Safe to run any number of times (retries, a worker that died
     * after the commit, a duplicated decision): the database appends one
     * refund per order at most.
     */
    async refundOrder({ orderId }) {
      const result = await ledger.refundOrder(orderId);
      metricMeter
        .createCounter('order_refunds', 'refunds', 'Refund attempts of FAILED orders, by result')
        .add(1, { outcome: result.outcome });
      if (result.outcome === 'not-refundable') log.warn('Order not refunded', { orderId, reason: result.reason });
      return result;
    },
  } satisfies RefundActivities;
}
