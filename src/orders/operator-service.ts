import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { ListOrdersFilter, OrderRepository, OrderRow, OrderStory } from '../db/order-repository.ts';
import type { DecisionResult, ResolveRequest, RetryRequest } from '../shared/operator-actions.ts';
import { OrderEvent } from '../shared/order-events.ts';
import { isFinal, OrderStatus } from '../shared/order-status.ts';
import {
  NOTIFICATION_WORKFLOW_TYPE,
  TASK_QUEUE,
  notificationWorkflowId,
  orderWorkflowId,
  resolveOrderUpdate,
  retryOrderUpdate,
  type OrderState,
} from '../shared/order-workflow.ts';
import { liveOrderState } from './live-order-state.ts';
import { isGrpcTimeoutOrUnavailable } from './temporal-errors.ts';

/** How long an operator's call waits for the workflow to answer an Update. */
const UPDATE_DEADLINE_MS = 15_000;

type Refused = { kind: 'refused'; reason: string };

export type OperatorActionResult =
  | { kind: 'order-not-found' }
  /** The workflow took the action. */
  | { kind: 'done'; result: DecisionResult }
  /** The workflow refused it, or has not started or is closed; recorded in the order's history. */
  | Refused
  /** The workflow did not answer in time; the action may still complete. */
  | { kind: 'unavailable'; waitedSeconds: number };

export type ResendResult = { kind: 'order-not-found' } | Refused | { kind: 'started'; workflowId: string };

export interface ResendRequest {
  operator: string;
  note?: string | undefined;
}

/** An order as the on-call engineer sees it: the view's story and, when the workflow answers, its live state. */
export interface OrderInspection extends OrderStory {
  live: OrderState | undefined;
}

export interface OperatorService {
  list(filter: ListOrdersFilter): Promise<OrderRow[]>;
  inspect(orderId: string): Promise<OrderInspection | undefined>;
  resolve(orderId: string, request: ResolveRequest): Promise<OperatorActionResult>;
  retry(orderId: string, request: RetryRequest): Promise<OperatorActionResult>;
  resendNotification(orderId: string, request: ResendRequest): Promise<ResendResult>;
}

export interface OperatorServiceDeps {
  orders: Pick<OrderRepository, 'findById' | 'findStory' | 'listOrders' | 'appendEvent'>;
  temporal: Client;
}

/** Records a refused action in the order's history, with who asked and why. */
async function recordRefusal(
  orders: OperatorServiceDeps['orders'],
  { orderId, action, operator, reason }: { orderId: string; action: string; operator: string; reason: string },
): Promise<Refused> {
  await orders.appendEvent(orderId, {
    key: `admin:${randomUUID()}`,
    type: OrderEvent.OPERATOR_ACTION_REFUSED,
    detail: { action, operator, reason },
  });
  return { kind: 'refused', reason };
}

/**
 * The on-call engineer's actions and reads. Actions go to the order's
 * workflow as Updates, so the caller learns at once whether the workflow
 * took them; every refusal lands in the order's history with who asked and why.
 */
export function createOperatorService({ orders, temporal }: OperatorServiceDeps): OperatorService {
  const refuse = (orderId: string, action: string, operator: string, reason: string) =>
    recordRefusal(orders, { orderId, action, operator, reason });

  async function runUpdate(
    orderId: string,
    action: 'resolve' | 'retry',
    operator: string,
    update: (workflow: WorkflowHandle) => Promise<DecisionResult>,
  ): Promise<OperatorActionResult> {
    const order = await orders.findById(orderId);
    if (!order) return { kind: 'order-not-found' };
    try {
      const workflow = temporal.workflow.getHandle(orderWorkflowId(orderId));
      return {
        kind: 'done',
        result: await temporal.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => update(workflow)),
      };
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError)
        return refuse(orderId, action, operator, String(error.cause?.message ?? error.message));
      if (error instanceof WorkflowNotFoundError) {
        const why =
          order.status === OrderStatus.PENDING ? 'its workflow has not started yet' : 'its workflow is closed';
        return refuse(orderId, action, operator, `order is ${order.status} and ${why}`);
      }
      if (isGrpcTimeoutOrUnavailable(error)) return { kind: 'unavailable', waitedSeconds: UPDATE_DEADLINE_MS / 1000 };
      throw error;
    }
  }

  return {
    list: (filter) => orders.listOrders(filter),

    async inspect(orderId) {
      const story = await orders.findStory(orderId);
      // The view tells the story even when the workflow cannot answer.
      return story && { ...story, live: await liveOrderState(temporal, orderId) };
    },

    resolve: (orderId, request) =>
      runUpdate(orderId, 'resolve', request.operator, (workflow) =>
        workflow.executeUpdate(resolveOrderUpdate, { args: [request] }),
      ),

    retry: (orderId, request) =>
      runUpdate(orderId, 'retry', request.operator, (workflow) =>
        workflow.executeUpdate(retryOrderUpdate, { args: [request] }),
      ),

    resendNotification: (orderId, request) => startNotificationResend({ orders, temporal }, orderId, request),
  };
}

/** Starts the re-send of a final order's result notification (one at a time per order); refused when there is nothing to send. */
async function startNotificationResend(
  { orders, temporal }: Pick<OperatorServiceDeps, 'orders' | 'temporal'>,
  orderId: string,
  { operator, note }: ResendRequest,
): Promise<ResendResult> {
  const order = await orders.findById(orderId);
  if (!order) return { kind: 'order-not-found' };
  const refuse = (reason: string) =>
    recordRefusal(orders, { orderId, action: 'resend-notification', operator, reason });
  if (!order.notifyUrl) return refuse('the order has no notifyUrl');
  if (!isFinal(order.status)) return refuse(`order is ${order.status}; only final results are sent`);
  const handle = await temporal.workflow.start(NOTIFICATION_WORKFLOW_TYPE, {
    taskQueue: TASK_QUEUE,
    workflowId: notificationWorkflowId(orderId),
    args: [orderId],
    workflowIdConflictPolicy: 'USE_EXISTING', // a re-send under way is the one asked for
  });
  await orders.appendEvent(orderId, {
    key: `admin:${randomUUID()}`,
    type: OrderEvent.NOTIFICATION_RESEND_REQUESTED,
    detail: { operator, note, runId: handle.firstExecutionRunId },
  });
  return { kind: 'started', workflowId: handle.workflowId };
}
