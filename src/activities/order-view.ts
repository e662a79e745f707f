import type { OrderRepository } from '../db/order-repository.ts';
import type { OrderStatus } from '../shared/order-status.ts';

export interface RecordTransitionInput {
  orderId: string;
  to: OrderStatus;
  /** Unique per order; makes the write idempotent under retries. */
  eventKey: string;
  eventType: string;
  detail?: Record<string, unknown>;
  carrierOrderId?: string;
  failureReason?: string;
  /** ISO times taken from workflow time, so a retried write stores the same value. */
  escalatedAt?: string;
  finishedAt?: string;
  resolvedBy?: string;
}

export function createOrderViewActivities({ orders }: { orders: OrderRepository }) {
  return {
    /** Mirrors a workflow transition into the order view (conditional, idempotent). */
    async recordTransition(input: RecordTransitionInput): Promise<boolean> {
      return orders.transition({
        orderId: input.orderId,
        to: input.to,
        fields: {
          ...(input.carrierOrderId && { carrierOrderId: input.carrierOrderId }),
          ...(input.failureReason && { failureReason: input.failureReason }),
          ...(input.escalatedAt && { escalatedAt: new Date(input.escalatedAt) }),
          ...(input.finishedAt && { finishedAt: new Date(input.finishedAt) }),
          ...(input.resolvedBy && { resolvedBy: input.resolvedBy }),
        },
        event: { key: input.eventKey, type: input.eventType, detail: input.detail ?? {} },
      });
    },

    /** Appends one fact to the order's history (an operator's action, say); idempotent by event key. */
    async recordEvent({ orderId, eventKey, type, detail }: { orderId: string; eventKey: string; type: string; detail: Record<string, unknown> }): Promise<void> {
      await orders.appendEvent(orderId, { key: eventKey, type, detail });
    },

    /** Records that the carrier contradicted the order's final decision, for an operator to review. */
    async flagForReview({ orderId, reason, eventKey }: { orderId: string; reason: string; eventKey: string }): Promise<void> {
      await orders.flagForReview(orderId, reason, { key: eventKey, type: 'contradiction-flagged', detail: { reason } });
    },
  };
}
