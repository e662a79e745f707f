import type { LedgerEntryType } from '../generated/prisma/client.ts';
import { ADJUSTMENTS_ACCOUNT, CASH_ACCOUNT, SALES_ACCOUNT, merchantAccount } from './ledger-accounts.ts';
import type { Db } from './prisma.ts';
import { OrderEvent } from '../shared/order-events.ts';
import type { RefundResult } from '../shared/order-activities.ts';
import type { ReversalRequest } from '../shared/reversal.ts';
import { reverseOrder } from './order-reversal.ts';

export interface AdminEntryInput {
  merchantId: string;
  type: Extract<LedgerEntryType, 'TOP_UP' | 'ADJUSTMENT'>;
  /** Signed, as the merchant's balance sees it: a top-up is positive, an adjustment either. */
  amountFen: number;
  /** The admin's idempotency key: one entry per (merchant, requestId). */
  requestId: string;
  operator: string;
  note: string;
}

export type LedgerEntryRow = NonNullable<Awaited<ReturnType<Db['ledgerEntry']['findUnique']>>>;

export type AdminEntryResult =
  | { outcome: 'posted' | 'repeat'; entry: LedgerEntryRow }
  /** The requestId was used before for a different entry. */
  | { outcome: 'conflict'; entry: LedgerEntryRow }
  | { outcome: 'insufficient-balance'; balanceFen: bigint }
  | { outcome: 'no-merchant' };

/** An entry's amount as the merchant's balance sees it: positive when credited, negative when debited. */
export const signedAmountFen = (entry: Pick<LedgerEntryRow, 'merchantId' | 'creditAccount' | 'amountFen'>) =>
  entry.creditAccount === merchantAccount(entry.merchantId) ? entry.amountFen : -entry.amountFen;

/**
 * Gives a FAILED order's debit back, exactly once: the unique key
 * (order, entry type) lets a retried, restarted or duplicated refund
 * append nothing. Writes the order's history event in the same statement.
 */
async function refundFailedOrder(db: Db, orderId: string): Promise<RefundResult> {
  const now = new Date();
  const [refunded] = await db.$queryRaw<{ amountFen: bigint }[]>`
    WITH debit AS (
      SELECT d.merchant_id, d.amount_fen, d.debit_account FROM ledger_entries d JOIN orders o ON o.id = d.order_id
      WHERE d.order_id = ${orderId} AND d.type = 'ORDER_DEBIT' AND o.status = 'FAILED'
    ), payer AS (
      SELECT merchants.id, merchants.balance_fen FROM merchants JOIN debit ON merchants.id = debit.merchant_id FOR UPDATE OF merchants
    ), refund AS (
      INSERT INTO ledger_entries (merchant_id, type, debit_account, credit_account, amount_fen, balance_after_fen, order_id, created_at)
      SELECT debit.merchant_id, 'ORDER_REFUND', ${SALES_ACCOUNT}, debit.debit_account, debit.amount_fen, payer.balance_fen + debit.amount_fen, ${orderId}, ${now}
      FROM debit, payer
      ON CONFLICT (order_id, type) DO NOTHING
      RETURNING merchant_id, amount_fen, balance_after_fen
    ), credited AS (
      UPDATE merchants SET balance_fen = merchants.balance_fen + refund.amount_fen, updated_at = ${now}
      FROM refund WHERE merchants.id = refund.merchant_id
    ), recorded AS (
      INSERT INTO order_events (order_id, key, type, detail)
      SELECT ${orderId}, 'refund', ${OrderEvent.REFUNDED}, jsonb_build_object('amountFen', amount_fen, 'balanceAfterFen', balance_after_fen) FROM refund
    )
    SELECT amount_fen AS "amountFen" FROM refund`;
  if (refunded) return { outcome: 'refunded', amountFen: Number(refunded.amountFen) };
  const entries = await db.ledgerEntry.findMany({ where: { orderId }, select: { type: true, amountFen: true } });
  const earlier = entries.find((entry) => entry.type === 'ORDER_REFUND');
  if (earlier) return { outcome: 'already-refunded', amountFen: Number(earlier.amountFen) };
  if (!entries.some((entry) => entry.type === 'ORDER_DEBIT'))
    return { outcome: 'not-refundable', reason: 'the order was never debited' };
  const order = await db.order.findUnique({ where: { id: orderId }, select: { status: true } });
  return { outcome: 'not-refundable', reason: `the order is ${order?.status ?? 'missing'}, not FAILED` };
}

/**
 * The merchant ledger. Every change of a balance is one statement that locks
 * the merchant's row, appends the entry (with the balance after it) and
 * updates the cached balance, so the cache always equals the entries' sum.
 * Unique keys, not prior reads, make each entry happen at most once.
 */
export function createLedgerRepository(db: Db) {
  return {
    /** An admin's top-up or adjustment, idempotent by requestId; an adjustment never takes the balance below minus the credit limit. */
    async postAdminEntry(input: AdminEntryInput): Promise<AdminEntryResult> {
      const merchant = merchantAccount(input.merchantId);
      const counter = input.type === 'TOP_UP' ? CASH_ACCOUNT : ADJUSTMENTS_ACCOUNT;
      const [debitAccount, creditAccount] = input.amountFen > 0 ? [counter, merchant] : [merchant, counter];
      const now = new Date();
      const posted = await db.$queryRaw<unknown[]>`
        WITH payer AS (
          SELECT id, balance_fen, credit_limit_fen FROM merchants WHERE id = ${input.merchantId} FOR UPDATE
        ), entry AS (
          INSERT INTO ledger_entries (merchant_id, type, debit_account, credit_account, amount_fen, balance_after_fen, request_id, operator, note, created_at)
          SELECT payer.id, ${input.type}::"LedgerEntryType", ${debitAccount}, ${creditAccount}, ${Math.abs(input.amountFen)}, payer.balance_fen + ${input.amountFen}, ${input.requestId}, ${input.operator}, ${input.note}, ${now}
          FROM payer WHERE ${input.amountFen} > 0 OR payer.balance_fen + ${input.amountFen} >= -payer.credit_limit_fen
          ON CONFLICT (merchant_id, request_id) DO NOTHING
          RETURNING merchant_id, amount_fen
        )
        UPDATE merchants SET balance_fen = merchants.balance_fen + ${input.amountFen}, updated_at = ${now}
        FROM entry WHERE merchants.id = entry.merchant_id
        RETURNING merchants.id`;
      const entry = await db.ledgerEntry.findUnique({
        where: { merchantId_requestId: { merchantId: input.merchantId, requestId: input.requestId } },
      });
      if (entry && posted.length > 0) return { outcome: 'posted', entry };
      if (entry) {
        const same = entry.type === input.type && signedAmountFen(entry) === BigInt(input.amountFen);
        return { outcome: same ? 'repeat' : 'conflict', entry };
      }
      const balanceFen = (
        await db.merchant.findUnique({ where: { id: input.merchantId }, select: { balanceFen: true } })
      )?.balanceFen;
      return balanceFen === undefined ? { outcome: 'no-merchant' } : { outcome: 'insufficient-balance', balanceFen };
    },

    /** Gives a FAILED order's debit back, exactly once: see refundFailedOrder. */
    refundOrder: (orderId: string) => refundFailedOrder(db, orderId),

    /** Reverses a SUCCEEDED order, exactly once: see src/db/order-reversal.ts. */
    reverseOrder: (request: ReversalRequest) => reverseOrder(db, request),

    /** The order's money: its debit and, if it failed, its refund (or, if reversed, its reversal). */
    listForOrder: (orderId: string) => db.ledgerEntry.findMany({ where: { orderId }, orderBy: { id: 'asc' } }),

    /** A merchant's entries, newest first; `before` pages on from the last entry id of a page. */
    listForMerchant: (merchantId: string, { limit, before }: { limit: number; before?: bigint | undefined }) =>
      db.ledgerEntry.findMany({
        where: { merchantId, ...(before !== undefined && { id: { lt: before } }) },
        orderBy: { id: 'desc' },
        take: limit,
      }),
  };
}

export type LedgerRepository = ReturnType<typeof createLedgerRepository>;
