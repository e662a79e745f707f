import type { LedgerEntryRow } from '../db/ledger-repository.ts';
import type { OrderRow } from '../db/order-repository.ts';
import { ledgerEntryJson } from './ledger-json.ts';

type EventRow = { key: string; type: string; detail: unknown; createdAt: Date };

/** The order as the API shows it, with its history and money entries where the caller read them. */
export function orderJson(order: OrderRow, { history, money }: { history?: EventRow[]; money?: LedgerEntryRow[] } = {}) {
  return {
    orderId: order.id,
    merchantId: order.merchantId,
    merchantOrderNo: order.merchantOrderNo,
    phone: order.phone,
    carrier: order.carrier,
    amountYuan: order.amountYuan,
    costFen: order.costFen === null ? null : Number(order.costFen),
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
    ...(money && { money: money.map(ledgerEntryJson) }),
    ...(history && { history: history.map(({ key, type, detail, createdAt }) => ({ key, type, detail, at: createdAt })) }),
  };
}
