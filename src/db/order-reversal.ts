import { COST_OF_SALES_ACCOUNT, SALES_ACCOUNT } from './ledger-accounts.ts';
import type { Db } from './prisma.ts';
import { OrderEvent } from '../shared/order-events.ts';
import type { ReversalRequest, ReversalResult } from '../shared/reversal.ts';

/** Why the order was reversed, as the merchant sees it (the view, the notification): never which supplier, nor an operator's note. */
const MERCHANT_REASON = 'the supplier reversed the top-up: the phone was not credited, the cost is refunded';

/**
 * Reverses a SUCCEEDED order in one statement: the order becomes REVERSED,
 * the merchant gets its debit back (an ORDER_REVERSAL entry), the supplier
 * that charged for it gets that charge back on its prepaid balance (an
 * ORDER_REVERSAL entry of its ledger), and the history says so. Only the
 * statement that moves the order from SUCCEEDED writes anything (the order's
 * row is locked first, so a concurrent second reversal finds it REVERSED),
 * and the ledgers' unique (order, type) keys stand behind that: one refund
 * and one credit-back per order, however often it is asked.
 */
async function reverseSucceededOrder(db: Pick<Db, '$queryRaw'>, request: ReversalRequest) {
  const { orderId } = request;
  const now = new Date();
  // Who and why are the operators' to read (the merchant's view of the history leaves reversedBy and reversalNote out).
  const detail = JSON.stringify({
    source: request.source,
    reversedBy: request.by,
    ...(request.note !== undefined && { reversalNote: request.note }),
    ...(request.callbackId !== undefined && { callbackId: request.callbackId }),
  });
  const [row] = await db.$queryRaw<{ moved: number; refundFen: bigint | null; creditFen: bigint | null }[]>`
    WITH target AS (
      SELECT id, merchant_id FROM orders WHERE id = ${orderId} AND status = 'SUCCEEDED' FOR UPDATE
    ), debit AS (
      SELECT d.amount_fen, d.debit_account FROM ledger_entries d JOIN target ON d.order_id = target.id WHERE d.type = 'ORDER_DEBIT'
    ), cost AS (
      SELECT c.supplier_id, c.amount_fen FROM supplier_ledger_entries c JOIN target ON c.order_id = target.id WHERE c.type = 'ORDER_COST'
    ), payer AS (
      SELECT m.id, m.balance_fen FROM merchants m JOIN target ON m.id = target.merchant_id FOR UPDATE OF m
    ), payee AS (
      SELECT s.id, s.balance_fen FROM suppliers s JOIN cost ON s.id = cost.supplier_id FOR UPDATE OF s
    ), moved AS (
      UPDATE orders SET status = 'REVERSED', failure_reason = ${MERCHANT_REASON}, updated_at = ${now}
      FROM target WHERE orders.id = target.id
      RETURNING orders.id
    ), refund AS (
      INSERT INTO ledger_entries (merchant_id, type, debit_account, credit_account, amount_fen, balance_after_fen, order_id, created_at)
      SELECT payer.id, 'ORDER_REVERSAL', ${SALES_ACCOUNT}, debit.debit_account, debit.amount_fen, payer.balance_fen + debit.amount_fen, ${orderId}, ${now}
      FROM debit, payer, moved
      ON CONFLICT (order_id, type) DO NOTHING
      RETURNING merchant_id, amount_fen
    ), refunded AS (
      UPDATE merchants SET balance_fen = merchants.balance_fen + refund.amount_fen, updated_at = ${now}
      FROM refund WHERE merchants.id = refund.merchant_id
    ), credit_back AS (
      INSERT INTO supplier_ledger_entries (supplier_id, type, debit_account, credit_account, amount_fen, balance_after_fen, order_id, created_at)
      SELECT payee.id, 'ORDER_REVERSAL', 'supplier:' || payee.id, ${COST_OF_SALES_ACCOUNT}, cost.amount_fen, payee.balance_fen + cost.amount_fen, ${orderId}, ${now}
      FROM cost, payee, moved
      ON CONFLICT (order_id, type) DO NOTHING
      RETURNING supplier_id, amount_fen
    ), credited AS (
      UPDATE suppliers SET balance_fen = suppliers.balance_fen + credit_back.amount_fen, updated_at = ${now}
      FROM credit_back WHERE suppliers.id = credit_back.supplier_id
    ), recorded AS (
      INSERT INTO order_events (order_id, key, type, detail)
      SELECT moved.id, 'reversed', ${OrderEvent.REVERSED}, ${detail}::jsonb FROM moved
      ON CONFLICT (order_id, key) DO NOTHING
    )
    SELECT (SELECT count(*) FROM moved)::int AS moved,
           (SELECT amount_fen FROM refund) AS "refundFen",
           (SELECT amount_fen FROM credit_back) AS "creditFen"`;
  return row;
}

/** What an order's reversal moved, read back: for a repeat, or a reversal that found the order already reversed. */
async function earlierReversal(db: Db, orderId: string): Promise<ReversalResult> {
  const order = await db.order.findUnique({ where: { id: orderId }, select: { status: true } });
  if (order?.status !== 'REVERSED')
    return { outcome: 'not-reversible', reason: `the order is ${order?.status ?? 'missing'}, not SUCCEEDED` };
  const [refund, credit] = await Promise.all([
    db.ledgerEntry.findUnique({ where: { orderId_type: { orderId, type: 'ORDER_REVERSAL' } } }),
    db.supplierLedgerEntry.findUnique({ where: { orderId_type: { orderId, type: 'ORDER_REVERSAL' } } }),
  ]);
  return {
    outcome: 'already-reversed',
    refundFen: Number(refund?.amountFen ?? 0),
    supplierCreditFen: Number(credit?.amountFen ?? 0),
  };
}

export async function reverseOrder(db: Db, request: ReversalRequest): Promise<ReversalResult> {
  // The order's row is locked before the statement's snapshot is taken, so a booking of its supplier's cost that
  // committed meanwhile is seen (and credited back); one still to come waits, then finds the order REVERSED.
  const row = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM orders WHERE id = ${request.orderId} FOR UPDATE`;
    return reverseSucceededOrder(tx, request);
  });
  if (row?.moved !== 1) return earlierReversal(db, request.orderId);
  return {
    outcome: 'reversed',
    refundFen: Number(row.refundFen ?? 0),
    supplierCreditFen: Number(row.creditFen ?? 0),
  };
}
