import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { OrderRepository } from '../db/order-repository.ts';
import type { Carrier } from '../shared/carriers.ts';
import { OrderEvent } from '../shared/order-events.ts';
import { OrderStatus, isFinal } from '../shared/order-status.ts';
import { TASK_QUEUE } from '../shared/order-workflow.ts';
import {
  REVERSAL_WORKFLOW_TYPE,
  reversalWorkflowId,
  type ReversalRequest,
  type ReversalResult,
} from '../shared/reversal.ts';
import { reversalSearchAttributes } from '../shared/search-attributes.ts';
import type { Speed } from '../shared/speeds.ts';
import type { Logger } from '../util/logger.ts';
import { flagRefusedReversal } from './reversal-review.ts';
import { isGrpcTimeoutOrUnavailable } from './temporal-errors.ts';

/** How long an operator's request waits for the reversal to finish before answering 202. */
const OPERATOR_WAIT_MS = 10_000;

export type ReversalStart =
  | { kind: 'order-not-found' }
  /** The order did not succeed, or another supplier or attempt credited it: nothing moved, the order is flagged for review. */
  | { kind: 'refused'; reason: string }
  /** The order has no final result yet (its SUCCESS callback may still be on its way): ask again later. */
  | { kind: 'not-final'; status: string }
  /** Temporal did not answer: nothing started, ask again later (the money moves only in the reversal's workflow). */
  | { kind: 'unavailable' }
  /** The order's reversal workflow runs (or ran): started now, or joined. */
  | { kind: 'started'; workflowId: string }
  /** Reversed before: nothing to do. */
  | { kind: 'already-reversed'; workflowId: string };

export type OperatorReversal =
  | Exclude<ReversalStart, { kind: 'started' }>
  | { kind: 'done'; workflowId: string; result: ReversalResult }
  /** Still running after the wait: it will finish on its own. */
  | { kind: 'running'; workflowId: string };

export interface ReversalService {
  /** A supplier's REVERSED callback (already stored): starts the order's reversal. */
  fromSupplier(request: ReversalRequest & { source: 'supplier' }): Promise<ReversalStart>;
  /** An operator's request, on a supplier's word by other means: starts it and waits a while for its result. */
  fromOperator(request: ReversalRequest & { source: 'operator' }): Promise<OperatorReversal>;
}

export interface ReversalServiceDeps {
  orders: Pick<OrderRepository, 'findById' | 'flagForReview' | 'appendEvent'>;
  temporal: Client;
  logger: Logger;
}

type ReversibleOrder = { status: string; supplierId: string | null; carrierOrderId: string | null };

/** Why a final order may not be reversed by this request, if it may not (in words a merchant may read: no supplier named). */
function refusal(order: ReversibleOrder, request: ReversalRequest): string | undefined {
  if (order.status !== OrderStatus.SUCCEEDED) return `the order is ${order.status}, not SUCCEEDED`;
  if (request.source !== 'supplier') return undefined;
  // Orders from before suppliers were credited by the one carrier (its callbacks come as by: 'carrier').
  if ((order.supplierId ?? 'carrier') !== request.by) return 'it came from a supplier that did not credit the order';
  // Another attempt at the same supplier (one that timed out, say) is not the top-up that credited the phone.
  if (request.carrierOrderId && order.carrierOrderId && request.carrierOrderId !== order.carrierOrderId)
    return 'it names another top-up than the one that credited the order';
  return undefined;
}

/** Starts (or joins) the order's reversal workflow, unless the order is not one to reverse now. */
async function startReversal(
  { orders, temporal, logger }: ReversalServiceDeps,
  request: ReversalRequest,
): Promise<ReversalStart> {
  const { orderId } = request;
  const workflowId = reversalWorkflowId(orderId);
  const order = await orders.findById(orderId);
  if (!order) return { kind: 'order-not-found' };
  if (order.status === OrderStatus.REVERSED) return { kind: 'already-reversed', workflowId };
  if (!isFinal(order.status)) return { kind: 'not-final', status: order.status };
  const reason = refusal(order, request);
  if (reason !== undefined) {
    // A supplier's refused reversal needs a person; an operator's refusal is the answer they read.
    if (request.source === 'supplier')
      logger.warn({ orderId, supplierId: request.by }, await flagRefusedReversal(orders, request, reason));
    return { kind: 'refused', reason };
  }
  try {
    await temporal.workflow.start(REVERSAL_WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [request],
      // A running reversal is joined. A closed one that left the order SUCCEEDED (terminated, say) may run again:
      // its money statement moves the money once, whatever runs.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: reversalSearchAttributes({
        ...order,
        carrier: order.carrier as Carrier,
        speed: order.speed as Speed,
        merchantId: order.merchantId,
        province: order.province ?? undefined,
        supplierId: order.supplierId ?? undefined,
      }),
    });
  } catch (error) {
    if (isGrpcTimeoutOrUnavailable(error)) return { kind: 'unavailable' };
    throw error;
  }
  logger.info({ orderId, source: request.source, by: request.by }, 'order reversal started');
  return { kind: 'started', workflowId };
}

/** An operator's refused reversal lands in the order's history with who asked and why, as the other operator actions' do. */
async function recordOperatorRefusal(
  orders: ReversalServiceDeps['orders'],
  request: ReversalRequest,
  started: Extract<ReversalStart, { kind: 'refused' | 'not-final' }>,
): Promise<void> {
  await orders.appendEvent(request.orderId, {
    key: `admin:${randomUUID()}`,
    type: OrderEvent.OPERATOR_ACTION_REFUSED,
    detail: {
      action: 'reverse',
      operator: request.by,
      reason: started.kind === 'refused' ? started.reason : `the order is ${started.status}, not final`,
    },
  });
}

export function createReversalService(deps: ReversalServiceDeps): ReversalService {
  const { temporal } = deps;
  return {
    fromSupplier: (request) => startReversal(deps, request),

    async fromOperator(request) {
      const started = await startReversal(deps, request);
      if (started.kind === 'refused' || started.kind === 'not-final')
        await recordOperatorRefusal(deps.orders, request, started);
      if (started.kind !== 'started') return started;
      const { workflowId } = started;
      try {
        const result = await temporal.withDeadline(Date.now() + OPERATOR_WAIT_MS, () =>
          temporal.workflow.getHandle<(request: ReversalRequest) => Promise<ReversalResult>>(workflowId).result(),
        );
        return { kind: 'done', workflowId, result };
      } catch (error) {
        if (isGrpcTimeoutOrUnavailable(error)) return { kind: 'running', workflowId };
        throw error;
      }
    },
  };
}
