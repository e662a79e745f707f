import type { OrderRepository } from '../db/order-repository.ts';
import type { SupplierLedgerRepository } from '../db/supplier-ledger-repository.ts';
import type { OrderViewActivities } from '../shared/order-activities.ts';
import { OrderEvent } from '../shared/order-events.ts';
import { OrderStatus } from '../shared/order-status.ts';
import { crossedLowBalance, type LowBalanceAlert } from '../suppliers/low-balance-alert.ts';

export interface OrderViewDeps {
  orders: OrderRepository;
  supplierLedger: SupplierLedgerRepository;
  lowBalanceAlert: LowBalanceAlert;
}

/** The workflow's writes to the order view: the only writes that change an order's status once it is accepted. */
export function createOrderViewActivities({ orders, supplierLedger, lowBalanceAlert }: OrderViewDeps) {
  return {
    /**
     * Mirrors a workflow transition into the order view (conditional,
     * idempotent). A routed order's SUCCEEDED books its supplier's cost,
     * once, even when a retry finds the status already written.
     */
    async recordTransition(input) {
      const changed = await orders.transition({
        orderId: input.orderId,
        to: input.to,
        fields: {
          ...(input.carrierOrderId && { carrierOrderId: input.carrierOrderId }),
          ...(input.failureReason && { failureReason: input.failureReason }),
          ...(input.escalatedAt && { escalatedAt: new Date(input.escalatedAt) }),
          ...(input.finishedAt && { finishedAt: new Date(input.finishedAt) }),
          ...(input.resolvedBy && { resolvedBy: input.resolvedBy }),
          ...(input.supplierId && { supplierId: input.supplierId }),
          ...(input.supplierCostFen !== undefined && { supplierCostFen: input.supplierCostFen }),
        },
        event: { key: input.eventKey, type: input.eventType, detail: input.detail ?? {} },
      });
      if (input.to === OrderStatus.SUCCEEDED && input.supplierId && input.supplierCostFen !== undefined) {
        const booked = await supplierLedger.bookOrderCost(input.orderId, input.supplierId, input.supplierCostFen);
        if (booked && crossedLowBalance(booked)) await lowBalanceAlert(booked);
      }
      return changed;
    },

    /** Appends one fact to the order's history (an operator's action, say); idempotent by event key. */
    async recordEvent({ orderId, eventKey, type, detail }) {
      await orders.appendEvent(orderId, { key: eventKey, type, detail });
    },

    /** Records that the carrier contradicted the order's final decision, for an operator to review. */
    async flagForReview({ orderId, reason, eventKey }) {
      await orders.flagForReview(orderId, reason, {
        key: eventKey,
        type: OrderEvent.CONTRADICTION_FLAGGED,
        detail: { reason },
      });
    },
  } satisfies OrderViewActivities;
}
