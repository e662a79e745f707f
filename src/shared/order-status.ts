/**
 * The one status vocabulary of an order, shared by the API, the database
 * (Prisma enum `OrderStatus`, checked equal by a unit test) and the workflow.
 * A plain const, not the generated Prisma enum, so the workflow bundle stays
 * free of the Prisma client.
 */
export const OrderStatus = {
  PENDING: 'PENDING',
  PROCESSING: 'PROCESSING',
  UNKNOWN: 'UNKNOWN',
  ESCALATED: 'ESCALATED',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  /** The supplier took back a top-up it had reported successful (冲正): the merchant is refunded, the supplier credits its cost back. */
  REVERSED: 'REVERSED',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export const FINAL_STATUSES: readonly OrderStatus[] = [OrderStatus.SUCCEEDED, OrderStatus.FAILED, OrderStatus.REVERSED];

export function isFinal(status: OrderStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Orders whose outcome is still open: the carrier, the workflow or an operator has yet to decide. */
export const OPEN_STATUSES: readonly OrderStatus[] = Object.values(OrderStatus).filter((status) => !isFinal(status));

/**
 * For each target status, the statuses an order may move to it from. Every
 * write to the order view is conditional on this table, so a stale or
 * repeated write can never move an order backwards or out of a final state.
 */
export const ALLOWED_FROM: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: [],
  PROCESSING: [OrderStatus.PENDING, OrderStatus.ESCALATED],
  UNKNOWN: [OrderStatus.PENDING, OrderStatus.PROCESSING],
  ESCALATED: [OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.UNKNOWN],
  SUCCEEDED: [OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.UNKNOWN, OrderStatus.ESCALATED],
  FAILED: [OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.UNKNOWN, OrderStatus.ESCALATED],
  // Only a reversal (its own workflow, src/workflows/order-reversal.ts) moves an order here, and only from SUCCEEDED.
  REVERSED: [OrderStatus.SUCCEEDED],
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED_FROM[to].includes(from);
}
