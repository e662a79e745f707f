/**
 * A reversal (冲正): the supplier took back a top-up it had reported
 * successful. It runs as a workflow of its own, one per order, whether the
 * order's workflow is still open or long closed: its id comes from the order,
 * so a repeated callback or an operator's request joins (or finds) the same
 * run and nothing happens twice. Workflow-safe: no Node imports.
 */

export const REVERSAL_WORKFLOW_TYPE = 'orderReversal';

export function reversalWorkflowId(orderId: string): string {
  return `order-reversal-${orderId}`;
}

export interface ReversalRequest {
  orderId: string;
  /** supplier: its REVERSED callback; operator: POST /admin/orders/:orderId/reverse. */
  source: 'supplier' | 'operator';
  /** The supplier's id or the operator's name. */
  by: string;
  note?: string;
  /** The stored callback that asked for it, and the top-up it names (supplier reversals). */
  callbackId?: string;
  carrierOrderId?: string;
}

export type ReversalResult =
  /** The merchant refunded the order's debit, the supplier credited back its charge (0 for orders with no supplier charge). */
  | { outcome: 'reversed' | 'already-reversed'; refundFen: number; supplierCreditFen: number }
  /** The order is not SUCCEEDED: nothing moved, the order is flagged for review. */
  | { outcome: 'not-reversible'; reason: string };

export interface ReversalActivities {
  /** Reverses a SUCCEEDED order in one statement: status, merchant refund, supplier credit-back, history. Idempotent. */
  reverseOrder(request: ReversalRequest): Promise<ReversalResult>;
}
