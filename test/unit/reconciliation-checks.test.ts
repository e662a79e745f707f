import { describe, expect, it } from 'vitest';
import {
  balanceMismatch,
  carrierMismatch,
  orderMoneyMismatches,
  type OrderMoney,
} from '../../src/reconciliation/checks.ts';

const settledBefore = new Date('2026-11-29T12:00:00Z');
const longAgo = new Date('2026-11-29T11:00:00Z');
const order = (fields: Partial<OrderMoney>): OrderMoney => ({
  orderId: 'o-1',
  merchantId: 'm-1',
  status: 'SUCCEEDED',
  costFen: 5000n,
  finishedAt: longAgo,
  debits: 1,
  debitFen: 5000n,
  refunds: 0,
  refundFen: null,
  reversals: 0,
  reversalFen: null,
  supplierCostFen: 4800n,
  supplierCreditBacks: 0,
  supplierCreditBackFen: null,
  otherMerchantEntries: 0,
  ...fields,
});
const kinds = (fields: Partial<OrderMoney>) => orderMoneyMismatches(order(fields), settledBefore).map((m) => m.kind);

describe('reconciliation rules: an order against its ledger entries', () => {
  it('accepts exactly what the money path writes', () => {
    expect(kinds({})).toEqual([]);
    expect(kinds({ status: 'FAILED', refunds: 1, refundFen: 5000n })).toEqual([]);
    for (const status of ['PENDING', 'PROCESSING', 'UNKNOWN', 'ESCALATED'])
      expect(kinds({ status, finishedAt: null })).toEqual([]);
  });

  it('accepts a reversed order with one reversal of its debit and one credit-back of its supplier charge, nothing else', () => {
    const reversed = { status: 'REVERSED', reversals: 1, reversalFen: 5000n };
    expect(kinds({ ...reversed, supplierCreditBacks: 1, supplierCreditBackFen: 4800n })).toEqual([]);
    expect(kinds({ ...reversed, supplierCostFen: null })).toEqual([]); // no supplier charged for it
    expect(kinds({ ...reversed, supplierCreditBacks: 0 })).toEqual(['supplier-credit-back-count']);
    expect(kinds({ ...reversed, supplierCreditBacks: 1, supplierCreditBackFen: 4000n })).toEqual([
      'supplier-credit-back-amount',
    ]);
    const credited = { supplierCreditBacks: 1, supplierCreditBackFen: 4800n };
    expect(kinds({ ...credited, status: 'REVERSED' })).toEqual(['reversal-missing']);
    expect(kinds({ ...credited, ...reversed, reversals: 2 })).toEqual(['reversal-duplicated']);
    expect(kinds({ ...credited, ...reversed, reversalFen: 4999n })).toEqual(['reversal-amount']);
    expect(kinds({ ...credited, ...reversed, refunds: 1, refundFen: 5000n })).toEqual(['refund-on-unfailed-order']);
    expect(kinds({ reversals: 1, reversalFen: 5000n })).toEqual(['reversal-on-unreversed-order']);
    expect(kinds({ status: 'FAILED', refunds: 1, refundFen: 5000n, ...credited })).toEqual([
      'reversal-on-unreversed-order',
    ]);
  });

  it('reports a missing, doubled or wrong debit', () => {
    expect(kinds({ debits: 0, debitFen: null })).toEqual(['debit-missing']);
    expect(kinds({ debits: 2, debitFen: 10000n })).toEqual(['debit-duplicated']);
    expect(kinds({ debitFen: 4999n })).toEqual(['debit-amount']);
  });

  it("reports an entry booked to a merchant other than the order's", () => {
    expect(kinds({ otherMerchantEntries: 1 })).toEqual(['entry-of-another-merchant']);
  });

  it('reports a refund on an order that did not fail, and a failed order with a wrong, doubled or missing refund', () => {
    expect(kinds({ refunds: 1, refundFen: 5000n })).toEqual(['refund-on-unfailed-order']);
    expect(kinds({ status: 'ESCALATED', refunds: 1, refundFen: 5000n })).toEqual(['refund-on-unfailed-order']);
    expect(kinds({ status: 'FAILED', refunds: 1, refundFen: 4000n })).toEqual(['refund-amount']);
    expect(kinds({ status: 'FAILED', refunds: 2, refundFen: 10000n })).toEqual(['refund-duplicated']);
    expect(kinds({ status: 'FAILED' })).toEqual(['refund-missing']);
  });

  it('gives a failed order until the settle time to be refunded', () => {
    expect(kinds({ status: 'FAILED', finishedAt: new Date('2026-11-29T12:00:01Z') })).toEqual([]);
  });

  it('says which order, merchant and amounts a mismatch is about', () => {
    expect(orderMoneyMismatches(order({ debitFen: 4999n }), settledBefore)).toEqual([
      {
        kind: 'debit-amount',
        subject: 'o-1',
        orderId: 'o-1',
        merchantId: 'm-1',
        detail: { status: 'SUCCEEDED', costFen: 5000, debitFen: 4999 },
      },
    ]);
  });
});

describe('reconciliation rules: balances and the carrier', () => {
  it('reports a cached balance that differs from the sum of its entries', () => {
    expect(balanceMismatch('m-1', 100n, 100n)).toBeUndefined();
    expect(balanceMismatch('m-1', 101n, 100n)).toMatchObject({
      kind: 'balance-differs-from-ledger',
      subject: 'm-1',
      detail: { balanceFen: 101, ledgerFen: 100 },
    });
  });

  it('reports an open order past its SLA that the carrier has decided, does not know, or cannot tell about', () => {
    const open = { orderId: 'o-1', merchantId: 'm-1', status: 'ESCALATED' };
    expect(carrierMismatch(open, { state: 'PROCESSING', carrierOrderId: 'C1' })).toBeUndefined();
    expect(carrierMismatch(open, { state: 'SUCCESS', carrierOrderId: 'C1' })?.kind).toBe('carrier-decided-open-order');
    expect(carrierMismatch(open, { state: 'FAILED', carrierOrderId: 'C1', reason: 'x' })?.kind).toBe(
      'carrier-decided-open-order',
    );
    expect(carrierMismatch(open, { state: 'NOT_FOUND' })?.kind).toBe('carrier-has-no-record');
    expect(carrierMismatch(open, { state: 'UNAVAILABLE', error: 'timeout' })?.kind).toBe('carrier-status-unavailable');
  });
});
