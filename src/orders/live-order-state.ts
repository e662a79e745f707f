import type { Client } from '@temporalio/client';
import { orderStateQuery, orderWorkflowId, type OrderState } from '../shared/order-workflow.ts';

/**
 * The order workflow's own state (the `orderState` query), or undefined when
 * it cannot answer: not started yet, no worker running, or past retention.
 */
export function liveOrderState(temporal: Client, orderId: string): Promise<OrderState | undefined> {
  return temporal.workflow
    .getHandle(orderWorkflowId(orderId))
    .query(orderStateQuery)
    .catch(() => undefined);
}
