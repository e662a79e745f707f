import type { OrderResultStatus } from './carrier-protocol.ts';
import { OrderStatus } from './order-status.ts';

/** A decided order, as the workflow or (once the workflow has closed) the order view knows it. */
export interface DecidedOrder {
  status: OrderStatus;
  /** Who decided: carrier-callback, carrier-refusal, carrier-status or operator; unknown on old rows. */
  resolvedBy?: string | null | undefined;
}

/**
 * The rule for a carrier result that arrives after the order was decided:
 * the decision stands (never silently overridden), and a contradicting
 * result flags the order for an operator's review. Returns the review reason,
 * or undefined when the result agrees with the decision.
 */
export function contradictionReason(
  decided: DecidedOrder,
  result: { status: OrderResultStatus; callbackId: string },
): string | undefined {
  // A reversed order had succeeded: a late copy of its SUCCESS callback is a repeat.
  const succeeded = decided.status === OrderStatus.SUCCEEDED || decided.status === OrderStatus.REVERSED;
  const agrees = (result.status === 'SUCCESS') === succeeded;
  if (agrees) return undefined;
  const by = decided.resolvedBy ? ` by ${decided.resolvedBy}` : '';
  const reason = `carrier reported ${result.status} (callback ${result.callbackId}) after the order was decided ${decided.status}${by}`;
  // A FAILED order is refunded as soon as it is decided; if the carrier did credit the phone, that money is owed back.
  return decided.status === OrderStatus.FAILED
    ? `${reason}; the order's cost was refunded: if the phone was credited, recover it with a ledger adjustment`
    : reason;
}
