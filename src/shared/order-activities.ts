/**
 * The contracts of the activities the order workflows call: their inputs,
 * outputs and one interface per stub group, so a workflow sees only the
 * activities it may call. The worker's implementations (src/activities/)
 * satisfy them. Workflow-safe: types only.
 */
import type { OrderEvent } from './order-events.ts';
import type { OrderStatus } from './order-status.ts';

/** Why the workflow asks the carrier's status endpoint. */
export type StatusPurpose = 'sla-deadline' | 'operator-retry';

/** Columns a transition may set besides the status; ISO times from workflow time, so a retried write stores the same value. */
export interface TransitionFields {
  carrierOrderId?: string;
  failureReason?: string;
  escalatedAt?: string;
  finishedAt?: string;
  resolvedBy?: string;
  /** The supplier that took the order; with the cost, on SUCCEEDED, its charge is booked. */
  supplierId?: string;
  supplierCostFen?: number;
}

export interface RecordTransitionInput extends TransitionFields {
  orderId: string;
  to: OrderStatus;
  /** Unique per order; makes the write idempotent under retries. */
  eventKey: string;
  eventType: OrderEvent;
  detail?: Record<string, unknown>;
}

export interface OrderViewActivities {
  /** Mirrors a workflow transition into the order view (conditional, idempotent); whether the status changed. */
  recordTransition(input: RecordTransitionInput): Promise<boolean>;
  recordEvent(input: {
    orderId: string;
    eventKey: string;
    type: OrderEvent;
    detail: Record<string, unknown>;
  }): Promise<void>;
  flagForReview(input: { orderId: string; reason: string; eventKey: string }): Promise<void>;
}

export interface EscalationAlert {
  orderId: string;
  merchantId?: string;
  merchantOrderNo: string;
  carrier: string;
  amountYuan: number;
  escalatedAt: string;
}

export interface AlertActivities {
  raiseEscalationAlert(alert: EscalationAlert): Promise<void>;
}

export type RefundResult =
  | { outcome: 'refunded' | 'already-refunded'; amountFen: number }
  /** No debit to give back (an order placed before merchant accounts), or the order is not FAILED. */
  | { outcome: 'not-refundable'; reason: string };

export interface RefundActivities {
  refundOrder(input: { orderId: string }): Promise<RefundResult>;
}

export interface MerchantNotificationActivities {
  notifyMerchant(input: { orderId: string }): Promise<void>;
  recordNotificationGaveUp(input: { orderId: string; reason: string }): Promise<void>;
}
