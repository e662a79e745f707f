import { upsertSearchAttributes } from '@temporalio/workflow';
import { OrderStatus } from '../shared/order-status.ts';
import type { ReversalRequest, ReversalResult } from '../shared/reversal.ts';
import { OrderStatusAttribute } from '../shared/search-attributes.ts';
import { reversals } from './activity-stubs.ts';
import { deliverNotification } from './merchant-notification.ts';

/**
 * The reversal of one SUCCEEDED order (id: reversalWorkflowId), started by
 * the API for a supplier's REVERSED callback or an operator's request: the
 * order becomes REVERSED with its money moved back in one statement, then
 * the merchant is told (its notification says REVERSED). One run per order,
 * open or closed order workflow alike; an order that had not succeeded is
 * flagged for review and nothing moves.
 */
export async function orderReversal(request: ReversalRequest): Promise<ReversalResult> {
  const result = await reversals.reverseOrder(request);
  if (result.outcome === 'not-reversible') return result;
  upsertSearchAttributes([{ key: OrderStatusAttribute, value: OrderStatus.REVERSED }]);
  await deliverNotification(request.orderId);
  return result;
}
