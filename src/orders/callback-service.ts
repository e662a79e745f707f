import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CarrierCallbackBody } from '../carrier/protocol.ts';
import type { OrderRepository, RecordedCallback } from '../db/order-repository.ts';
import type { OrderResultStatus } from '../shared/carrier-protocol.ts';
import { contradictionReason } from '../shared/carrier-contradiction.ts';
import { OrderEvent } from '../shared/order-events.ts';
import { isFinal, type OrderStatus } from '../shared/order-status.ts';
import { carrierCallbackSignal, orderWorkflowId } from '../shared/order-workflow.ts';
import { parseSupplierRequestId } from '../shared/suppliers.ts';
import type { Logger } from '../util/logger.ts';
import type { ReversalService, ReversalStart } from './reversal-service.ts';

/** A carrier callback whose signature the caller has verified, as it arrived. */
export interface VerifiedCallback {
  callback: CarrierCallbackBody;
  rawBody: string;
  signature: string;
  /** The supplier whose secret verified it; its `orderId` field is then the attempt's request id. */
  supplierId?: string;
}

export type CallbackResult =
  | { kind: 'order-not-found' }
  /** Handed to the order's workflow, which applies it or ignores a repeat. */
  | { kind: 'forwarded' }
  /** The order is open but its workflow is not running: the carrier should re-send later. */
  | { kind: 'workflow-not-running' }
  /** The order's workflow has closed on a decided order; a contradicting result is flagged for review. */
  | { kind: 'already-decided'; status: OrderStatus; flaggedForReview: boolean }
  /** A REVERSED callback, handed to the order's reversal (or refused and flagged for review). */
  | { kind: 'reversal'; reversal: ReversalStart };

export interface CallbackService {
  receive(received: VerifiedCallback): Promise<CallbackResult>;
  /** Keeps a verified callback that is refused (its timestamp out of the window) for review; nothing acts on it. */
  refuse(received: VerifiedCallback, reason: string): Promise<void>;
}

export interface CallbackServiceDeps {
  orders: Pick<OrderRepository, 'recordCallback' | 'flagForReview' | 'recordRefusedCallback'>;
  reversals: Pick<ReversalService, 'fromSupplier'>;
  temporal: Client;
  logger: Logger;
}

const refuseCallback =
  ({ orders, logger }: Pick<CallbackServiceDeps, 'orders' | 'logger'>): CallbackService['refuse'] =>
  async ({ callback, rawBody, supplierId }, reason) => {
    await orders.recordRefusedCallback({
      requestId: callback.orderId,
      reason,
      rawBody,
      ...(supplierId && { supplierId }),
    });
    logger.warn({ supplierId, requestId: callback.orderId, reason }, 'carrier callback refused');
  };

/** A result for an order whose workflow is not running: the view's decision stands, a contradiction is flagged. */
async function closedOrderResult(
  { orders, logger }: Pick<CallbackServiceDeps, 'orders' | 'logger'>,
  recorded: RecordedCallback,
  { orderId, status, supplierId }: { orderId: string; status: OrderResultStatus; supplierId: string | undefined },
): Promise<CallbackResult> {
  const { callbackId, orderStatus, resolvedBy } = recorded;
  if (!isFinal(orderStatus)) {
    // Never swallow the result of an open order: the carrier re-sends on 5xx.
    logger.error({ orderId, callbackId }, 'callback for an open order whose workflow is not running');
    return { kind: 'workflow-not-running' };
  }
  // A failure from a supplier the order moved on from says nothing about the supplier that credited it.
  const otherSupplierFailed = supplierId !== undefined && status === 'FAILED' && recorded.supplierId !== supplierId;
  const review = otherSupplierFailed
    ? undefined
    : contradictionReason({ status: orderStatus, resolvedBy }, { status, callbackId });
  if (review !== undefined) {
    await orders.flagForReview(orderId, review, {
      key: `contradiction:${callbackId}`,
      type: OrderEvent.CONTRADICTION_FLAGGED,
      detail: { reason: review, callbackId },
    });
    logger.warn({ orderId, callbackId }, review);
  }
  return { kind: 'already-decided', status: orderStatus, flaggedForReview: review !== undefined };
}

/**
 * The carrier's result callbacks: stored raw before anything acts on them,
 * then handed to the order's workflow as a signal. Once the workflow has
 * closed, the order view's decision stands and a contradiction is flagged.
 * A REVERSED result (the supplier took a successful top-up back) goes to the
 * order's reversal workflow instead, open order workflow or closed.
 */
export function createCallbackService({ orders, reversals, temporal, logger }: CallbackServiceDeps): CallbackService {
  return {
    refuse: refuseCallback({ orders, logger }),

    async receive({ callback, rawBody, signature, supplierId }) {
      const { status, carrierOrderId, timestamp, reason } = callback;
      const attempt = supplierId === undefined ? undefined : parseSupplierRequestId(callback.orderId);
      if (supplierId !== undefined && !attempt) return { kind: 'order-not-found' };
      const orderId = attempt?.orderId ?? callback.orderId;
      const fromSupplier = supplierId !== undefined ? { supplierId, requestId: callback.orderId } : {};
      const recorded = await orders.recordCallback(orderId, rawBody, signature, {
        status,
        carrierOrderId,
        ...fromSupplier,
      });
      if (!recorded) return { kind: 'order-not-found' };
      const { callbackId } = recorded;
      if (status === 'REVERSED') {
        const reversal = await reversals.fromSupplier({
          orderId,
          source: 'supplier',
          by: supplierId ?? 'carrier',
          callbackId,
          carrierOrderId,
          ...(reason !== undefined && { note: reason }),
        });
        return { kind: 'reversal', reversal };
      }
      try {
        // Signalled even when the view is final: the workflow may still be open (notifying the merchant, or
        // watching for late callbacks after an operator's decision) and must see a contradiction.
        await temporal.workflow.getHandle(orderWorkflowId(orderId)).signal(carrierCallbackSignal, {
          callbackId,
          carrierOrderId,
          status,
          timestamp,
          ...(reason !== undefined && { reason }),
          ...fromSupplier,
        });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        return closedOrderResult({ orders, logger }, recorded, { orderId, status, supplierId });
      }
      logger.info({ orderId, callbackId, status }, 'carrier callback forwarded');
      return { kind: 'forwarded' };
    },
  };
}
