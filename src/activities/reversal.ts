import { log, metricMeter } from '@temporalio/activity';
import type { LedgerRepository } from '../db/ledger-repository.ts';
import type { OrderRepository } from '../db/order-repository.ts';
import { flagRefusedReversal } from '../orders/reversal-review.ts';
import type { ReversalActivities } from '../shared/reversal.ts';

export interface ReversalActivityDeps {
  ledger: LedgerRepository;
  orders: OrderRepository;
}

export function createReversalActivities({ ledger, orders }: ReversalActivityDeps) {
  return {
    /**
     * Reverses a SUCCEEDED order (one idempotent statement: any number of
     * retries moves the money once). An order that had not succeeded is
     * left as it is and flagged for an operator's review.
     */
    async reverseOrder(request) {
      const result = await ledger.reverseOrder(request);
      metricMeter
        .createCounter('order_reversals', 'reversals', 'Reversals of successful orders, by source and result')
        .add(1, { source: request.source, outcome: result.outcome });
      if (result.outcome === 'not-reversible')
        log.warn('Reversal refused', {
          orderId: request.orderId,
          reason: await flagRefusedReversal(orders, request, result.reason),
        });
      return result;
    },
  } satisfies ReversalActivities;
}
