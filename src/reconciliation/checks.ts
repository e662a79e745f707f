import type { CarrierStatus } from '../shared/carrier-protocol.ts';

/** One disagreement a reconciliation run found, about one order, merchant or supplier. */
export interface Mismatch {
  kind: string;
  /** The order, merchant or supplier id the mismatch is about. */
  subject: string;
  merchantId?: string;
  orderId?: string;
  detail: Record<string, unknown>;
}

/** An order with the sums of its ledger entries, as the reconciliation reads it. */
export interface OrderMoney {
  orderId: string;
  merchantId: string;
  status: string;
  costFen: bigint;
  finishedAt: Date | null;
  debits: number;
  debitFen: bigint | null;
  refunds: number;
  refundFen: bigint | null;
  /** Entries of this order booked to another merchant. */
  otherMerchantEntries: number;
}

/**
 * What an order's ledger entries must be: one debit of its cost; one refund
 * of the same amount if it FAILED (once it has had time to be refunded),
 * none otherwise. The database's unique keys should make most of these
 * impossible; reconciliation checks them anyway, since it exists to catch
 * what should be impossible.
 */
export function orderMoneyMismatches(order: OrderMoney, failedSettledBefore: Date): Mismatch[] {
  const found: Mismatch[] = [];
  const mismatch = (kind: string, detail: Record<string, unknown>) =>
    found.push({
      kind,
      subject: order.orderId,
      merchantId: order.merchantId,
      orderId: order.orderId,
      detail: { status: order.status, ...detail },
    });
  const fen = (value: bigint | null) => (value === null ? null : Number(value));

  if (order.otherMerchantEntries > 0) mismatch('entry-of-another-merchant', { entries: order.otherMerchantEntries });
  if (order.debits !== 1) mismatch(order.debits === 0 ? 'debit-missing' : 'debit-duplicated', { debits: order.debits });
  else if (order.debitFen !== order.costFen)
    mismatch('debit-amount', { costFen: fen(order.costFen), debitFen: fen(order.debitFen) });

  if (order.status !== 'FAILED') {
    if (order.refunds > 0)
      mismatch('refund-on-unfailed-order', { refunds: order.refunds, refundFen: fen(order.refundFen) });
  } else if (order.refunds > 1) {
    mismatch('refund-duplicated', { refunds: order.refunds });
  } else if (order.refunds === 1 && order.refundFen !== order.debitFen) {
    mismatch('refund-amount', { debitFen: fen(order.debitFen), refundFen: fen(order.refundFen) });
  } else if (order.refunds === 0 && order.finishedAt !== null && order.finishedAt < failedSettledBefore) {
    mismatch('refund-missing', { finishedAt: order.finishedAt.toISOString() });
  }
  return found;
}

/** A merchant's cached balance must equal the sum of its ledger entries. */
export function balanceMismatch(merchantId: string, balanceFen: bigint, ledgerFen: bigint): Mismatch | undefined {
  if (balanceFen === ledgerFen) return undefined;
  return {
    kind: 'balance-differs-from-ledger',
    subject: merchantId,
    merchantId,
    detail: { balanceFen: Number(balanceFen), ledgerFen: Number(ledgerFen) },
  };
}

/** A supplier's cached prepaid balance must equal the sum of its ledger entries. */
export function supplierBalanceMismatch({
  supplierId,
  balanceFen,
  entriesFen,
}: {
  supplierId: string;
  balanceFen: bigint;
  entriesFen: bigint;
}): Mismatch {
  return {
    kind: 'supplier-balance-differs-from-ledger',
    subject: supplierId,
    detail: { supplierId, balanceFen: Number(balanceFen), ledgerFen: Number(entriesFen) },
  };
}

/**
 * An order still open past its SLA, against the carrier's status endpoint:
 * the carrier still working on it is expected; a carrier that has decided it,
 * has no record of it, or cannot answer needs an operator.
 */
export function carrierMismatch(
  order: { orderId: string; merchantId: string; status: string },
  carrier: CarrierStatus | { state: 'UNAVAILABLE'; error: string },
): Mismatch | undefined {
  if (carrier.state === 'PROCESSING') return undefined;
  const kind = {
    SUCCESS: 'carrier-decided-open-order',
    FAILED: 'carrier-decided-open-order',
    NOT_FOUND: 'carrier-has-no-record',
    UNAVAILABLE: 'carrier-status-unavailable',
  }[carrier.state];
  return {
    kind,
    subject: order.orderId,
    merchantId: order.merchantId,
    orderId: order.orderId,
    detail: { status: order.status, carrier },
  };
}
