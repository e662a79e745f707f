/**
 * The one vocabulary of an order's history: the same names in the workflow's
 * timeline (the `orderState` query) and in the order view's `order_events`.
 */
export const OrderEvent = {
  /** The API accepted the order and debited its cost. */
  SUBMITTED: 'submitted',
  /** A signed carrier callback, stored raw by the API. */
  CALLBACK_RECEIVED: 'callback-received',
  /** A repeat of the outcome already decided. */
  CALLBACK_IGNORED: 'callback-ignored',
  /** The carrier contradicted the decided outcome; an operator must review. */
  CONTRADICTION_FLAGGED: 'contradiction-flagged',
  CARRIER_ACCEPTED: 'carrier-accepted',
  /** Routed orders: the supplier picked for an attempt, and why others were passed over (timeline only; the view gets it with the answer). */
  SUPPLIER_CHOSEN: 'supplier-chosen',
  /** The supplier definitively did not credit the phone: the order is routed to another. */
  SUPPLIER_DECLINED: 'supplier-declined',
  /** No supplier can take the order right now; it routes again shortly, until its SLA deadline. */
  SUPPLIER_UNAVAILABLE: 'supplier-unavailable',
  /** No supplier is left that could take the order: it fails. */
  NO_SUPPLIER_LEFT: 'no-supplier-left',
  CARRIER_REFUSED: 'carrier-refused',
  /** One submit attempt failed (the activity records each; Temporal retries). */
  CARRIER_ATTEMPT_FAILED: 'carrier-attempt-failed',
  /** Every submit attempt failed: the outcome is unknown, never failed. */
  CARRIER_UNREACHABLE: 'carrier-unreachable',
  CARRIER_STATUS_QUERIED: 'carrier-status-queried',
  CARRIER_STATUS_UNAVAILABLE: 'carrier-status-unavailable',
  OUTCOME_DECIDED: 'outcome-decided',
  OUTCOME_UNKNOWN: 'outcome-unknown',
  ESCALATED: 'escalated',
  ALERT_FAILED: 'alert-failed',
  OPERATOR_RESOLVED: 'operator-resolved',
  OPERATOR_RETRY_REQUESTED: 'operator-retry-requested',
  OPERATOR_RETRY_NOT_RESUBMITTED: 'operator-retry-not-resubmitted',
  /** The carrier never got the order: re-submitted on an operator's retry. */
  OPERATOR_RETRY_RESUBMITTED: 'operator-retry',
  /** A decision sent as a signal that the workflow refused. */
  OPERATOR_DECISION_REFUSED: 'operator-decision-refused',
  /** An admin API action refused (workflow closed, validator refusal, nothing to send). */
  OPERATOR_ACTION_REFUSED: 'operator-action-refused',
  FINISHED: 'finished',
  REFUNDED: 'refunded',
  /** The supplier (or an operator on its word) reversed the successful top-up: refunded and credited back. */
  REVERSED: 'reversed',
  /** A reversal asked for an order that had not succeeded: nothing moved, flagged for review. */
  REVERSAL_REFUSED: 'reversal-refused',
  MERCHANT_NOTIFIED: 'merchant-notified',
  MERCHANT_NOTIFY_FAILED: 'merchant-notify-failed',
  /** The workflow's notification step ended (delivered or given up). */
  MERCHANT_NOTIFICATION_DONE: 'merchant-notification-done',
  NOTIFICATION_RESEND_REQUESTED: 'notification-resend-requested',
  CONTINUED_AS_NEW: 'continued-as-new',
} as const;
export type OrderEvent = (typeof OrderEvent)[keyof typeof OrderEvent];
