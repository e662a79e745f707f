import type { OrderRepository } from '../db/order-repository.ts';
import type { OrderViewActivities } from '../shared/order-activities.ts';
import { OrderEvent } from '../shared/order-events.ts';

/** The workflow's writes to the order view: the only writes that change an order's status once it is accepted. */
export function createOrderViewActivities({ orders }: { orders: OrderRepository }) {
  return {
    /** Mirrors a workflow transition into the order view (conditional, idempotent). */
    async recordTransition(input) {
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
    async recordEvent({ orderId, eventKey, type, detail }) {
      await orders.appendEvent(orderId, { key: eventKey, type, detail });
    },

    /** Records that the carrier contradicted the order's final decision, for an operator to review. */
    async flagForReview({ orderId, reason, eventKey }) {
      await orders.flagForReview(orderId, reason, { key: eventKey, type: OrderEvent.CONTRADICTION_FLAGGED, detail: { reason } });
    },
  } satisfies OrderViewActivities;
}
