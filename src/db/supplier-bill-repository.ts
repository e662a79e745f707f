import type { BillDifference, OurAttempt, OurStatus } from '../supplier-bills/compare.ts';
import { parseSupplierRequestId } from '../shared/suppliers.ts';
import type { Db } from './prisma.ts';

/** One order's attempts at one supplier, and what was booked for it. */
interface OrderAttempts {
  orderId: string;
  status: string;
  supplierId: string | null;
  /** The ORDER_COST booked for it (or, not yet booked, the cost it was finished with). */
  costFen: number | null;
  bookedAt: Date | null;
  requestIds: string[];
}

const STATUS_OF_CHARGED: Partial<Record<string, OurStatus>> = {
  SUCCEEDED: 'SUCCESS',
  REVERSED: 'REVERSED',
  FAILED: 'FAILED',
};

const attemptNumber = (requestId: string) => parseSupplierRequestId(requestId)?.attempt ?? 0;

/**
 * Our side of each attempt of an order at the supplier: its last attempt
 * there stands as the order does (SUCCEEDED → SUCCESS at the booked cost,
 * REVERSED at 0, FAILED, or PENDING while open), unless another supplier
 * took the order; every other attempt there failed (was declined, or failed
 * and the order moved on).
 */
export function attemptsOfOrder(supplierId: string, order: OrderAttempts): OurAttempt[] {
  const last = order.requestIds.reduce<string | undefined>(
    (latest, id) => (latest === undefined || attemptNumber(id) > attemptNumber(latest) ? id : latest),
    undefined,
  );
  const takenElsewhere = order.supplierId !== null && order.supplierId !== supplierId;
  return order.requestIds.map((requestId): OurAttempt => {
    const status: OurStatus =
      requestId !== last || takenElsewhere ? 'FAILED' : (STATUS_OF_CHARGED[order.status] ?? 'PENDING');
    return {
      requestId,
      orderId: order.orderId,
      status,
      amountFen: status === 'SUCCESS' ? (order.costFen ?? 0) : 0,
      ...(status !== 'FAILED' && order.bookedAt && { bookedAt: order.bookedAt.toISOString() }),
    };
  });
}

/** The orders' attempts at the supplier, from their events (every answer, decline and status query names its request id). */
async function ordersAttempts(db: Db, supplierId: string, orderIds: string[]): Promise<OrderAttempts[]> {
  if (orderIds.length === 0) return [];
  const rows = await db.$queryRaw<
    {
      orderId: string;
      status: string;
      supplierId: string | null;
      costFen: bigint | null;
      bookedAt: Date | null;
      requestIds: string[];
    }[]
  >`
    SELECT o.id AS "orderId", o.status::text AS status, o.supplier_id AS "supplierId",
           COALESCE(l.amount_fen, o.supplier_cost_fen) AS "costFen", l.created_at AS "bookedAt",
           array_agg(DISTINCT e.detail->>'requestId') AS "requestIds"
    FROM orders o
    JOIN order_events e ON e.order_id = o.id AND e.detail->>'supplierId' = ${supplierId} AND e.detail ? 'requestId'
    LEFT JOIN supplier_ledger_entries l ON l.order_id = o.id AND l.type = 'ORDER_COST' AND l.supplier_id = ${supplierId}
    WHERE o.id = ANY(${orderIds}::text[])
    GROUP BY o.id, o.status, o.supplier_id, l.amount_fen, o.supplier_cost_fen, l.created_at`;
  return rows.map((row) => ({ ...row, costFen: row.costFen === null ? null : Number(row.costFen) }));
}

export interface StoredRun {
  id: string;
  supplierId: string;
  day: string;
  trigger: string;
  billed: { count: number; amountFen: number };
  recorded: { count: number; amountFen: number };
  differences: BillDifference[];
}

async function saveRun(db: Db, run: StoredRun): Promise<void> {
  const status = run.differences.length === 0 ? 'MATCHED' : 'DIFFERENCES';
  await db.$transaction([
    db.supplierBillRun.create({
      data: {
        id: run.id,
        supplierId: run.supplierId,
        day: new Date(`${run.day}T00:00:00Z`),
        trigger: run.trigger,
        status,
        billedCount: run.billed.count,
        billedFen: run.billed.amountFen,
        recordedCount: run.recorded.count,
        recordedFen: run.recorded.amountFen,
        differenceCount: run.differences.length,
      },
    }),
    db.supplierBillDifference.createMany({
      data: run.differences.map(({ kind, requestId, ours, theirs }) => ({
        runId: run.id,
        kind,
        requestId,
        ...(ours && { ours: { ...ours } }),
        ...(theirs && { theirs: { ...theirs } }),
      })),
    }),
  ]);
}

/** Supplier bill reconciliations: our attempts and charges as the comparison needs them, and the runs. */
export function createSupplierBillRepository(db: Db) {
  return {
    /** Our attempts at the supplier with these request ids (ids not of ours, or never sent there, are left out). */
    async attemptsByRequestId(supplierId: string, requestIds: string[]): Promise<Map<string, OurAttempt>> {
      const orderIds = [...new Set(requestIds.flatMap((id) => parseSupplierRequestId(id)?.orderId ?? []))];
      const attempts = (await ordersAttempts(db, supplierId, orderIds)).flatMap((order) =>
        attemptsOfOrder(supplierId, order),
      );
      return new Map(attempts.map((attempt) => [attempt.requestId, attempt]));
    },

    /** The charges we booked for the supplier in [from, to): each SUCCEEDED (perhaps since REVERSED) order's charged attempt. */
    async chargesBooked(supplierId: string, from: Date, to: Date): Promise<OurAttempt[]> {
      const booked = await db.supplierLedgerEntry.findMany({
        where: { supplierId, type: 'ORDER_COST', createdAt: { gte: from, lt: to } },
        select: { orderId: true },
      });
      const orderIds = booked.flatMap((entry) => entry.orderId ?? []);
      return (await ordersAttempts(db, supplierId, orderIds))
        .flatMap((order) => attemptsOfOrder(supplierId, order))
        .filter((attempt) => attempt.bookedAt !== undefined);
    },

    /** Stores a run with its differences, in one transaction. */
    saveRun: (run: StoredRun) => saveRun(db, run),

    /** A run with its differences, or null; of this supplier only. */
    findRun: (supplierId: string, id: string) =>
      db.supplierBillRun.findFirst({
        where: { id, supplierId },
        include: { differences: { orderBy: { id: 'asc' } } },
      }),

    /**
     * Differences found by the latest run of each enabled supplier's bill of each of the last 8 days: what
     * the dashboard shows until a clean run of that day (a clean run of another day hides nothing).
     */
    async latestDifferences(): Promise<number> {
      const [row] = await db.$queryRaw<{ differences: bigint | null }[]>`
        SELECT SUM(r.difference_count)::bigint AS differences FROM suppliers s
        CROSS JOIN LATERAL (
          SELECT DISTINCT ON (day) difference_count FROM supplier_bill_runs
          WHERE supplier_id = s.id AND day >= current_date - 7 ORDER BY day, created_at DESC
        ) r
        WHERE s.enabled`;
      return Number(row?.differences ?? 0);
    },
  };
}

export type SupplierBillRepository = ReturnType<typeof createSupplierBillRepository>;
