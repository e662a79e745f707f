import type { OrderRow } from '../db/order-repository.ts';

type EventRow = { key: string; type: string; detail: unknown; createdAt: Date };

/** The order as the API shows it. */
export function orderJson(order: OrderRow, events?: EventRow[]) {
  return {
    orderId: order.id,
    merchantOrderNo: order.merchantOrderNo,
    phone: order.phone,
    carrier: order.carrier,
    amountYuan: order.amountYuan,
    notifyUrl: order.notifyUrl,
    status: order.status,
    carrierOrderId: order.carrierOrderId,
    failureReason: order.failureReason,
    escalatedAt: order.escalatedAt,
    finishedAt: order.finishedAt,
    resolvedBy: order.resolvedBy,
    needsReview: order.needsReview,
    reviewReason: order.reviewReason,
    notifyStatus: order.notifyStatus,
    notifyAttempts: order.notifyAttempts,
    notifyLastError: order.notifyLastError,
    notifiedAt: order.notifiedAt,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    ...(events && { history: events.map(({ key, type, detail, createdAt }) => ({ key, type, detail, at: createdAt })) }),
  };
}
