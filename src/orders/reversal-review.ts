import type { OrderRepository } from '../db/order-repository.ts';
import { OrderEvent } from '../shared/order-events.ts';
import type { ReversalRequest } from '../shared/reversal.ts';

/**
 * A reversal asked for an order it cannot apply to (it did not succeed, or
 * another supplier or attempt credited it): nothing moves, and the order is
 * flagged for an operator, once per asker. The review reason, which the
 * merchant sees too, names no supplier; who asked is in the event's detail
 * (operators only). Returns the review reason.
 */
export async function flagRefusedReversal(
  orders: Pick<OrderRepository, 'flagForReview'>,
  request: ReversalRequest,
  why: string,
): Promise<string> {
  const reason = `a reversal of this order was refused: ${why}`;
  await orders.flagForReview(request.orderId, reason, {
    key: `reversal-refused:${request.source}:${request.by}`,
    type: OrderEvent.REVERSAL_REFUSED,
    detail: {
      reason,
      refusedReversal: { source: request.source, by: request.by, callbackId: request.callbackId ?? null },
    },
  });
  return reason;
}
