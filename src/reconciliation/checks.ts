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
  reversals: number;
  reversalFen: bigint | null;
  /** What the supplier charged (its ORDER_COST entry), and what a reversal credited back to it. */
  supplierCostFen: bigint | null;
  supplierCreditBacks: number;
  supplierCreditBackFen: bigint | null;
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
  return [...found, ...reversalMismatches(order)];
}

/**
 * What a reversal must leave: on a REVERSED order, one merchant reversal
 * entry of its debit and, where the supplier charged for it, one credit-back
 * of that charge; on any other order, neither.
 */
function reversalMismatches(order: OrderMoney): Mismatch[] {
  const found: Mismatch[] = [];
  const mismatch = (kind: string, detail: Record<string, unknown>) =>
    found.push({ kind, subject: order.orderId, merchantId: order.merchantId, orderId: order.orderId, detail });
  const fen = (value: bigint | null) => (value === null ? null : Number(value));
  const { reversals, supplierCreditBacks } = order;
  if (order.status !== 'REVERSED') {
    if (reversals > 0 || supplierCreditBacks > 0)
      mismatch('reversal-on-unreversed-order', { status: order.status, reversals, supplierCreditBacks });
    return found;
  }
  if (reversals !== 1) mismatch(reversals === 0 ? 'reversal-missing' : 'reversal-duplicated', { reversals });
  else if (order.reversalFen !== order.debitFen)
    mismatch('reversal-amount', { debitFen: fen(order.debitFen), reversalFen: fen(order.reversalFen) });
  const creditBacksDue = order.supplierCostFen === null ? 0 : 1;
  if (supplierCreditBacks !== creditBacksDue)
    mismatch('supplier-credit-back-count', { supplierCreditBacks, creditBacksDue });
  else if (order.supplierCreditBackFen !== order.supplierCostFen)
    mismatch('supplier-credit-back-amount', {
      supplierCostFen: fen(order.supplierCostFen),
      supplierCreditBackFen: fen(order.supplierCreditBackFen),
    });
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
