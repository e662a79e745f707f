import type { LedgerEntryRow } from '../db/ledger-repository.ts';
import type { OrderRow } from '../db/order-repository.ts';
import { ledgerEntryJson } from './ledger-json.ts';

type EventRow = { key: string; type: string; detail: unknown; createdAt: Date };

/** What only the platform's operators see: which supplier took the order and what it cost, who reversed it and why. */
const SUPPLIER_DETAIL_KEYS = new Set([
  'supplierId',
  'requestId',
  'costFen',
  'skipped',
  'probe',
  'reversedBy',
  'reversalNote',
  'refusedReversal',
]);

function merchantDetail(detail: unknown): unknown {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return detail;
  return Object.fromEntries(Object.entries(detail).filter(([key]) => !SUPPLIER_DETAIL_KEYS.has(key)));
}

/**
 * The order as the API shows it, with its history and money entries where
 * the caller read them. Merchants never see the supplier or its cost; operators do.
 */
export function orderJson(
  order: OrderRow,
  { history, money }: { history?: EventRow[]; money?: LedgerEntryRow[] } = {},
  audience: 'merchant' | 'operator' = 'merchant',
) {
  const operator = audience === 'operator';
  return {
    orderId: order.id,
    merchantId: order.merchantId,
    merchantOrderNo: order.merchantOrderNo,
    phone: order.phone,
    carrier: order.carrier,
    province: order.province,
    city: order.city,
    speed: order.speed,
    amountYuan: order.amountYuan,
    costFen: order.costFen === null ? null : Number(order.costFen),
    notifyUrl: order.notifyUrl,
    status: order.status,
    carrierOrderId: order.carrierOrderId,
    failureReason: order.failureReason,
    /** When an order with no final result is checked with its supplier and escalated. */
    slaDeadline: order.slaDeadline,
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
    ...(operator && {
      supplierId: order.supplierId,
      supplierCostFen: order.supplierCostFen === null ? null : Number(order.supplierCostFen),
    }),
    ...(money && { money: money.map(ledgerEntryJson) }),
    ...(history && {
      history: history.map(({ key, type, detail, createdAt }) => ({
        key,
        type,
        detail: operator ? detail : merchantDetail(detail),
        at: createdAt,
      })),
    }),
  };
}
