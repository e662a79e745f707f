import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { isFinal, OrderStatus } from '../../shared/order-status.ts';
import {
  NOTIFICATION_WORKFLOW_TYPE,
  TASK_QUEUE,
  notificationWorkflowId,
  orderWorkflowId,
  resolveOrderUpdate,
  retryOrderUpdate,
} from '../../shared/order-workflow.ts';
import type { ApiDeps } from '../deps.ts';
import { orderNotFound, problem } from '../errors.ts';
import { orderJson } from '../order-json.ts';
import { integerQuery, orderIdParam } from '../request-schemas.ts';
import { validate } from '../validate.ts';
import { liveOrderState } from '../../orders/live-order-state.ts';

const operator = z.string().trim().min(1).max(64);
/** How long an operator's HTTP call waits for the workflow to answer an Update. */
const UPDATE_DEADLINE_MS = 15_000;
const listQuery = z.strictObject({
  status: z.enum(OrderStatus).optional(),
  olderThanSeconds: integerQuery(0, 10 * 365 * 24 * 3600).optional(),
  needsReview: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  limit: integerQuery(1, 500).default(100),
});
const resolveBody = z.object({ outcome: z.enum(['SUCCEEDED', 'FAILED']), note: z.string().trim().min(1).max(500), operator });
const retryBody = z.object({ operator, note: z.string().max(500).optional() });
const resendBody = z.object({ operator, note: z.string().max(500).optional() });

/** gRPC DEADLINE_EXCEEDED (4) or UNAVAILABLE (14), as the Temporal client raises them. */
function isGrpcTimeoutOrUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 4 || code === 14) return true;
  }
  return false;
}

/**
 * The on-call engineer's API: find orders by status and age, read one with
 * its whole story, and act on it. Actions go to the order's workflow as
 * Updates, so the caller learns at once whether the workflow took them;
 * refusals land in the order's history with who asked and why.
 */
export function adminOrderRoutes({ orders, ledger, temporal }: ApiDeps) {
  async function refuse(c: Context, orderId: string, action: string, who: string, reason: string) {
    await orders.appendEvent(orderId, { key: `admin:${randomUUID()}`, type: 'operator-action-refused', detail: { action, operator: who, reason } });
    return problem(c, 409, 'action_refused', reason);
  }

  /** Runs an operator Update; validator refusals and closed workflows become 409s recorded in the history. */
  async function operatorUpdate(c: Context, orderId: string, action: 'resolve' | 'retry', who: string, run: () => Promise<unknown>) {
    const order = await orders.findById(orderId);
    if (!order) return orderNotFound(c, orderId);
    try {
      return c.json(await temporal.withDeadline(Date.now() + UPDATE_DEADLINE_MS, run));
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) return refuse(c, orderId, action, who, String(error.cause?.message ?? error.message));
      if (error instanceof WorkflowNotFoundError) {
        const why = order.status === OrderStatus.PENDING ? 'its workflow has not started yet' : 'its workflow is closed';
        return refuse(c, orderId, action, who, `order is ${order.status} and ${why}`);
      }
      if (isGrpcTimeoutOrUnavailable(error)) {
        return problem(c, 503, 'workflow_unavailable', `The order workflow did not answer within ${UPDATE_DEADLINE_MS / 1000} s (no worker, or a slow carrier check); the action may still complete: read the order before asking again`);
      }
      throw error;
    }
  }

  return new Hono()
    .get('/orders', validate('query', listQuery), async (c) => {
      const found = await orders.listOrders(c.req.valid('query'));
      return c.json({ orders: found.map((order) => orderJson(order)) });
    })
    .get('/orders/:orderId', validate('param', orderIdParam), async (c) => {
      const { orderId } = c.req.valid('param');
      const order = await orders.findById(orderId);
      if (!order) return orderNotFound(c, orderId);
      // The view tells the story even when the workflow cannot answer.
      const [history, money, live] = await Promise.all([orders.listEvents(orderId), ledger.listForOrder(orderId), liveOrderState(temporal, orderId)]);
      return c.json({ ...orderJson(order, { history, money }), live: live ?? null });
    })
    .post('/orders/:orderId/resolve', validate('param', orderIdParam), validate('json', resolveBody), (c) => {
      const body = c.req.valid('json');
      const { orderId } = c.req.valid('param');
      return operatorUpdate(c, orderId, 'resolve', body.operator, () =>
        temporal.workflow.getHandle(orderWorkflowId(orderId)).executeUpdate(resolveOrderUpdate, { args: [body] }),
      );
    })
    .post('/orders/:orderId/retry', validate('param', orderIdParam), validate('json', retryBody), (c) => {
      const body = c.req.valid('json');
      const { orderId } = c.req.valid('param');
      return operatorUpdate(c, orderId, 'retry', body.operator, () =>
        temporal.workflow.getHandle(orderWorkflowId(orderId)).executeUpdate(retryOrderUpdate, { args: [body] }),
      );
    })
    .post('/orders/:orderId/notifications', validate('param', orderIdParam), validate('json', resendBody), async (c) => {
      const body = c.req.valid('json');
      const { orderId } = c.req.valid('param');
      const order = await orders.findById(orderId);
      if (!order) return orderNotFound(c, orderId);
      if (!order.notifyUrl) return refuse(c, orderId, 'resend-notification', body.operator, 'the order has no notifyUrl');
      if (!isFinal(order.status as OrderStatus)) return refuse(c, orderId, 'resend-notification', body.operator, `order is ${order.status}; only final results are sent`);
      const handle = await temporal.workflow.start(NOTIFICATION_WORKFLOW_TYPE, {
        taskQueue: TASK_QUEUE,
        workflowId: notificationWorkflowId(orderId),
        args: [orderId],
        workflowIdConflictPolicy: 'USE_EXISTING', // a re-send under way is the one asked for
      });
      await orders.appendEvent(orderId, { key: `admin:${randomUUID()}`, type: 'notification-resend-requested', detail: { operator: body.operator, note: body.note, runId: handle.firstExecutionRunId } });
      return c.json({ workflowId: handle.workflowId }, 202);
    });
}
