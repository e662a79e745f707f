import { CASH_ACCOUNT, COST_OF_SALES_ACCOUNT, supplierAccount } from './ledger-accounts.ts';
import { preparedSql, type Db, type PreparedSql } from './prisma.ts';

export type SupplierLedgerEntryRow = NonNullable<Awaited<ReturnType<Db['supplierLedgerEntry']['findUnique']>>>;

export interface SupplierTopUpInput {
  supplierId: string;
  amountFen: number;
  /** The admin's idempotency key: one entry per (supplier, requestId). */
  requestId: string;
  operator: string;
  note: string;
}

export type SupplierTopUpResult =
  | { outcome: 'posted' | 'repeat'; entry: SupplierLedgerEntryRow }
  | { outcome: 'conflict'; entry: SupplierLedgerEntryRow }
  | { outcome: 'no-supplier' };

/** The supplier's balance after an order's cost was booked, and its alert threshold. */
export interface BookedCost {
  supplierId: string;
  amountFen: bigint;
  balanceAfterFen: bigint;
  lowBalanceFen: bigint;
}

/** One row of the margin report: a day, a supplier, a carrier. */
export interface MarginRow {
  day: string;
  supplierId: string;
  carrier: string;
  /** null for orders from before number segments. */
  province: string | null;
  speed: string;
  orders: number;
  revenueFen: number;
  supplierCostFen: number;
  marginFen: number;
}

/** An entry's amount as the supplier's prepaid balance sees it. */
export const signedSupplierAmountFen = (
  entry: Pick<SupplierLedgerEntryRow, 'supplierId' | 'debitAccount' | 'amountFen'>,
) => (entry.debitAccount === supplierAccount(entry.supplierId) ? entry.amountFen : -entry.amountFen);

/** A top-up of the supplier's prepaid balance, idempotent by requestId. */
async function topUp(db: Db, input: SupplierTopUpInput): Promise<SupplierTopUpResult> {
  const now = new Date();
  const posted = await db.$queryRaw<unknown[]>`
    WITH payee AS (
      SELECT id, balance_fen FROM suppliers WHERE id = ${input.supplierId} FOR UPDATE
    ), entry AS (
      INSERT INTO supplier_ledger_entries (supplier_id, type, debit_account, credit_account, amount_fen, balance_after_fen, request_id, operator, note, created_at)
      SELECT payee.id, 'TOP_UP', ${supplierAccount(input.supplierId)}, ${CASH_ACCOUNT}, ${input.amountFen}, payee.balance_fen + ${input.amountFen}, ${input.requestId}, ${input.operator}, ${input.note}, ${now}
      FROM payee
      ON CONFLICT (supplier_id, request_id) DO NOTHING
      RETURNING supplier_id, amount_fen
    )
    UPDATE suppliers SET balance_fen = suppliers.balance_fen + entry.amount_fen, updated_at = ${now}
    FROM entry WHERE suppliers.id = entry.supplier_id
    RETURNING suppliers.id`;
  const entry = await db.supplierLedgerEntry.findUnique({
    where: { supplierId_requestId: { supplierId: input.supplierId, requestId: input.requestId } },
  });
  if (!entry) return { outcome: 'no-supplier' };
  if (posted.length > 0) return { outcome: 'posted', entry };
  return {
    outcome: entry.type === 'TOP_UP' && entry.amountFen === BigInt(input.amountFen) ? 'repeat' : 'conflict',
    entry,
  };
}

/**
 * Books what the supplier charged for a SUCCEEDED order, once (unique per
 * order): its prepaid balance goes down, below zero if it must, since
 * the supplier has credited the phone whatever its balance. Returns the
 * booking, or undefined if it was booked before. The order's row is
 * key-share-locked (the weakest lock, which only a reversal's FOR UPDATE
 * waits for), so a reversal, which locks it before its snapshot, either
 * sees this booking and credits it back, or makes this one find the order
 * REVERSED and book nothing. Both take the order's row before the
 * supplier's, so they cannot deadlock.
 */
async function bookOrderCost(
  sql: PreparedSql,
  orderId: string,
  supplierId: string,
  amountFen: number,
): Promise<BookedCost | undefined> {
  const now = new Date();
  const [booked] = await sql<Record<keyof BookedCost, string>>`
    WITH payee AS (
      SELECT s.id, s.balance_fen, s.low_balance_fen FROM orders o JOIN suppliers s ON s.id = o.supplier_id
      WHERE o.id = ${orderId} AND o.status = 'SUCCEEDED' AND o.supplier_id = ${supplierId}
      FOR KEY SHARE OF o FOR UPDATE OF s
    ), cost AS (
      INSERT INTO supplier_ledger_entries (supplier_id, type, debit_account, credit_account, amount_fen, balance_after_fen, order_id, created_at)
      SELECT payee.id, 'ORDER_COST', ${COST_OF_SALES_ACCOUNT}, ${supplierAccount(supplierId)}, ${amountFen}, payee.balance_fen - ${amountFen}, ${orderId}, ${now}
      FROM payee
      ON CONFLICT (order_id, type) DO NOTHING
      RETURNING supplier_id, amount_fen, balance_after_fen
    ), debited AS (
      UPDATE suppliers SET balance_fen = suppliers.balance_fen - cost.amount_fen, updated_at = ${now}
      FROM cost WHERE suppliers.id = cost.supplier_id
    )
    SELECT cost.supplier_id AS "supplierId", cost.amount_fen AS "amountFen", cost.balance_after_fen AS "balanceAfterFen", payee.low_balance_fen AS "lowBalanceFen"
    FROM cost, payee`;
  return (
    booked && {
      supplierId: booked.supplierId,
      amountFen: BigInt(booked.amountFen),
      balanceAfterFen: BigInt(booked.balanceAfterFen),
      lowBalanceFen: BigInt(booked.lowBalanceFen),
    }
  );
}

/**
 * Revenue (what merchants paid), supplier cost and margin of the orders
 * that SUCCEEDED between `from` and `to`, per day (UTC), supplier, carrier,
 * province (null for orders from before number segments) and speed.
 */
async function marginReport(db: Db, from: Date, to: Date): Promise<MarginRow[]> {
  const rows = await db.$queryRaw<
    {
      day: string;
      supplierId: string;
      carrier: string;
      province: string | null;
      speed: string;
      orders: bigint;
      revenueFen: bigint;
      supplierCostFen: bigint;
    }[]
  >`
    SELECT to_char(o.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, o.supplier_id AS "supplierId", o.carrier, o.province, o.speed,
           count(*) AS orders, COALESCE(SUM(o.cost_fen), 0)::bigint AS "revenueFen", COALESCE(SUM(o.supplier_cost_fen), 0)::bigint AS "supplierCostFen"
    FROM orders o
    WHERE o.status = 'SUCCEEDED' AND o.supplier_id IS NOT NULL AND o.finished_at >= ${from} AND o.finished_at < ${to}
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`;
  return rows.map((row) => ({
    day: row.day,
    supplierId: row.supplierId,
    carrier: row.carrier,
    province: row.province,
    speed: row.speed,
    orders: Number(row.orders),
    revenueFen: Number(row.revenueFen),
    supplierCostFen: Number(row.supplierCostFen),
    marginFen: Number(row.revenueFen - row.supplierCostFen),
  }));
}

/**
 * Each supplier's prepaid account, kept like the merchants': one statement
 * locks the supplier, appends the entry with the balance after it and moves
 * the cached balance; unique keys make each entry happen at most once.
 */
export function createSupplierLedgerRepository(db: Db) {
  const sql = preparedSql(db);
  return {
    /** A top-up of the supplier's prepaid balance, idempotent by requestId. */
    topUp: (input: SupplierTopUpInput) => topUp(db, input),

    /** Books a SUCCEEDED order's supplier cost, once: see bookOrderCost. */
    bookOrderCost: (orderId: string, supplierId: string, amountFen: number) =>
      bookOrderCost(sql, orderId, supplierId, amountFen),

    /** A supplier's entries, newest first. */
    listForSupplier: (supplierId: string, limit: number) =>
      db.supplierLedgerEntry.findMany({ where: { supplierId }, orderBy: { id: 'desc' }, take: limit }),

    /** Suppliers whose cached balance differs from the sum of their entries. */
    async balanceMismatches(): Promise<{ supplierId: string; balanceFen: bigint; entriesFen: bigint }[]> {
      return db.$queryRaw`
        SELECT s.id AS "supplierId", s.balance_fen AS "balanceFen", COALESCE(SUM(CASE WHEN e.debit_account = 'supplier:' || s.id THEN e.amount_fen ELSE -e.amount_fen END), 0)::bigint AS "entriesFen"
        FROM suppliers s LEFT JOIN supplier_ledger_entries e ON e.supplier_id = s.id
        GROUP BY s.id, s.balance_fen
        HAVING s.balance_fen <> COALESCE(SUM(CASE WHEN e.debit_account = 'supplier:' || s.id THEN e.amount_fen ELSE -e.amount_fen END), 0)`;
    },

    /** Revenue, supplier cost and margin per day, supplier and carrier: see marginReport. */
    marginReport: (from: Date, to: Date) => marginReport(db, from, to),
  };
}

export type SupplierLedgerRepository = ReturnType<typeof createSupplierLedgerRepository>;
