import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Carrier } from '../shared/carriers.ts';
import type { Speed } from '../shared/speeds.ts';
import type { ChosenRoute } from '../shared/suppliers.ts';
import { newOrderSearchAttributes } from '../shared/search-attributes.ts';
import { TASK_QUEUE, WORKFLOW_TYPE, orderWorkflowId, type RechargeOrderInput } from '../shared/order-workflow.ts';
import type { rechargeOrder } from '../workflows/recharge-order.ts';
import type { OrderRow } from '../db/order-repository.ts';

/**
 * Starts the order's workflow unless it exists. Safe to call any number of
 * times, from any number of processes: Temporal's workflow-id uniqueness
 * decides, so there is never a second workflow for one order. `firstRoute`:
 * the first attempt's supplier, if chosen already (src/suppliers/first-route.ts).
 * The SLA is the one the order was accepted with (its view's deadline);
 * `slaSeconds` only for orders from before deadlines were stored.
 */
export async function startOrderWorkflow(
  client: Client,
  order: OrderRow,
  slaSeconds: number,
  firstRoute?: ChosenRoute,
): Promise<void> {
  const input: RechargeOrderInput = {
    orderId: order.id,
    merchantId: order.merchantId,
    merchantOrderNo: order.merchantOrderNo,
    phone: order.phone,
    carrier: order.carrier as Carrier,
    amountYuan: order.amountYuan,
    ...(order.province !== null && { province: order.province }),
    ...(order.city !== null && { city: order.city }),
    speed: order.speed as Speed,
    submittedAt: order.createdAt.toISOString(),
    slaSeconds: order.slaDeadline
      ? Math.round((order.slaDeadline.getTime() - order.createdAt.getTime()) / 1000)
      : slaSeconds,
    ...(order.notifyUrl && { notifyUrl: order.notifyUrl }),
    ...(firstRoute && { firstRoute }),
  };
  try {
    await client.workflow.start<typeof rechargeOrder>(WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId: orderWorkflowId(order.id),
      args: [input],
      typedSearchAttributes: newOrderSearchAttributes(input),
      workflowIdConflictPolicy: 'USE_EXISTING', // a running one: keep it
      workflowIdReusePolicy: 'REJECT_DUPLICATE', // a closed one: never run the order again
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}
