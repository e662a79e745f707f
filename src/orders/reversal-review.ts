import type { OrderRepository } from '../db/order-repository.ts';
import { OrderEvent } from '../shared/order-events.ts';
import type { ReversalRequest } from '../shared/reversal.ts';

/**
 * A reversal asked for an order it cannot apply to (not SUCCEEDED, or
 * credited by another supplier): nothing moves, and the order is flagged
 * for an operator, once per request. Returns the review reason.
 */
export async function flagRefusedReversal(
  orders: Pick<OrderRepository, 'flagForReview'>,
  request: ReversalRequest,
  why: string,
): Promise<string> {
  const asked = request.callbackId !== undefined ? `REVERSED callback ${request.callbackId} from` : 'reversal by';
  const reason = `${asked} ${request.source} ${request.by} refused: ${why}`;
  await orders.flagForReview(request.orderId, reason, {
    key: `reversal-refused:${request.callbackId ?? request.by}`,
    type: OrderEvent.REVERSAL_REFUSED,
    detail: { reason, ...(request.callbackId !== undefined && { callbackId: request.callbackId }) },
  });
  return reason;
}
