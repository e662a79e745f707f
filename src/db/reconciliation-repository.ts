import type { Prisma } from '../generated/prisma/client.ts';
import { merchantAccount } from './ledger-accounts.ts';
import type { Mismatch, OrderMoney } from '../reconciliation/checks.ts';
import { OPEN_STATUSES } from '../shared/order-status.ts';
import type { Db } from './prisma.ts';
import { OrderEvent } from '../shared/order-events.ts';

/** Orders accepted before `cutoff`, after the id `after` in id order, with the sums of their ledger entries. */
function orderMoneyPage(db: Db, { cutoff, after, limit }: { cutoff: Date; after: string; limit: number }) {
  return db.$queryRaw<OrderMoney[]>`
    SELECT o.id AS "orderId", o.merchant_id AS "merchantId", o.status::text AS status, o.cost_fen AS "costFen", o.finished_at AS "finishedAt",
      count(e.id) FILTER (WHERE e.type = 'ORDER_DEBIT')::int AS debits,
      (sum(e.amount_fen) FILTER (WHERE e.type = 'ORDER_DEBIT'))::bigint AS "debitFen",
      count(e.id) FILTER (WHERE e.type = 'ORDER_REFUND')::int AS refunds,
      (sum(e.amount_fen) FILTER (WHERE e.type = 'ORDER_REFUND'))::bigint AS "refundFen",
      count(e.id) FILTER (WHERE e.type = 'ORDER_REVERSAL')::int AS reversals,
      (sum(e.amount_fen) FILTER (WHERE e.type = 'ORDER_REVERSAL'))::bigint AS "reversalFen",
      (SELECT sum(s.amount_fen) FROM supplier_ledger_entries s WHERE s.order_id = o.id AND s.type = 'ORDER_COST')::bigint AS "supplierCostFen",
      (SELECT count(*) FROM supplier_ledger_entries s WHERE s.order_id = o.id AND s.type = 'ORDER_REVERSAL')::int AS "supplierCreditBacks",
      (SELECT sum(s.amount_fen) FROM supplier_ledger_entries s WHERE s.order_id = o.id AND s.type = 'ORDER_REVERSAL')::bigint AS "supplierCreditBackFen",
      count(e.id) FILTER (WHERE e.merchant_id <> o.merchant_id)::int AS "otherMerchantEntries"
    FROM orders o LEFT JOIN ledger_entries e ON e.order_id = o.id
    WHERE o.cost_fen IS NOT NULL AND o.created_at <= ${cutoff} AND o.id > ${after}
    GROUP BY o.id ORDER BY o.id LIMIT ${limit}`;
}

/**
 * Merchants' cached balances beside the sums of their entries, after the
 * id `after` in id order. Each page is read in one snapshot, and each
 * entry and its balance change are one statement, so a snapshot never
 * sees one without the other.
 */
/** An open order past its SLA, with what it sent to suppliers (nothing for orders sent before suppliers). */
export interface StaleOrder {
  id: string;
  merchantId: string;
  status: string;
  /** It was routed among suppliers. */
  routed: boolean;
  /** Its latest attempt's supplier and number, and whether that supplier has declined it. */
  supplierId: string | null;
  attempt: number | null;
  declined: boolean;
}

/**
 * Orders still open past their SLA, with their latest supplier attempt,
 * which the history events of a routed order's attempts name.
 */
function staleOpenOrders(
  db: Db,
  { createdBefore, after, limit }: { createdBefore: Date; after: string; limit: number },
) {
  return db.$queryRaw<StaleOrder[]>`
    SELECT o.id, o.merchant_id AS "merchantId", o.status::text AS status, a.supplier_id AS "supplierId", a.attempt,
      COALESCE(a.type = ${OrderEvent.SUPPLIER_DECLINED}, false) AS declined,
      a.type IS NOT NULL OR EXISTS (SELECT 1 FROM order_events u WHERE u.order_id = o.id AND u.type = ${OrderEvent.SUPPLIER_UNAVAILABLE}) AS routed
    FROM orders o
    LEFT JOIN LATERAL (
      SELECT e.type, e.detail->>'supplierId' AS supplier_id, (e.detail->>'attempt')::int AS attempt FROM order_events e
      WHERE e.order_id = o.id AND e.detail ? 'supplierId' AND e.detail ? 'attempt' ORDER BY e.id DESC LIMIT 1
    ) a ON true
    WHERE o.status::text = ANY(${[...OPEN_STATUSES]}) AND o.created_at < ${createdBefore} AND o.id > ${after}
      -- A slow order is stale only once its own deadline (a day) has passed; a fast one past the run's SLA.
      AND (o.speed <> 'slow' OR o.sla_deadline < ${new Date()})
    ORDER BY o.id LIMIT ${limit}`;
}

function balancesWithLedgerSums(db: Db, { after = '', limit = 1000 }: { after?: string; limit?: number }) {
  return db.$queryRaw<{ merchantId: string; balanceFen: bigint; ledgerFen: bigint }[]>`
    SELECT m.id AS "merchantId", m.balance_fen AS "balanceFen",
      COALESCE(sum(CASE WHEN e.credit_account = ${merchantAccount('')} || m.id THEN e.amount_fen ELSE -e.amount_fen END), 0)::bigint AS "ledgerFen"
    FROM merchants m LEFT JOIN ledger_entries e ON e.merchant_id = m.id
    WHERE m.id > ${after}
    GROUP BY m.id ORDER BY m.id LIMIT ${limit}`;
}

/** Reconciliation runs and what they find; every write is idempotent, so a retried activity changes nothing. */
export function createReconciliationRepository(db: Db) {
  return {
    /** Creates the run unless it exists; returns its start, the cut-off for the orders it checks. */
    async begin(runId: string, trigger: string): Promise<Date> {
      const run = await db.reconciliationRun.upsert({
        where: { id: runId },
        create: { id: runId, trigger },
        update: {},
      });
      return run.startedAt;
    },

    /** Orders accepted before `cutoff` with the sums of their ledger entries: see orderMoneyPage. */
    orderMoneyPage: (page: { cutoff: Date; after: string; limit: number }) => orderMoneyPage(db, page),

    /** Merchants' cached balances beside the sums of their entries: see balancesWithLedgerSums. */
    balancesWithLedgerSums: (page: { after?: string; limit?: number } = {}) => balancesWithLedgerSums(db, page),

    /** Open orders accepted before `createdBefore`, after the id `after` in id order. */
    staleOpenOrders: (page: { createdBefore: Date; after: string; limit: number }) => staleOpenOrders(db, page),

    async recordMismatches(runId: string, mismatches: Mismatch[]): Promise<void> {
      await db.reconciliationMismatch.createMany({
        data: mismatches.map(({ kind, subject, merchantId, orderId, detail }) => ({
          runId,
          kind,
          subject,
          merchantId: merchantId ?? null,
          orderId: orderId ?? null,
          detail: detail as Prisma.InputJsonValue,
        })),
        skipDuplicates: true,
      });
    },

    async recordProgress(
      runId: string,
      progress: { checkedOrders?: number; checkedMerchants?: number },
    ): Promise<void> {
      await db.reconciliationRun.update({ where: { id: runId }, data: progress });
    },

    /** Marks the run complete; returns how many mismatches it recorded. */
    async finish(runId: string, finishedAt: Date): Promise<number> {
      await db.reconciliationRun.updateMany({
        where: { id: runId, status: 'RUNNING' },
        data: { status: 'COMPLETED', finishedAt },
      });
      return db.reconciliationMismatch.count({ where: { runId } });
    },

    find: (runId: string) =>
      db.reconciliationRun.findUnique({ where: { id: runId }, include: { mismatches: { orderBy: { id: 'asc' } } } }),
  };
}

export type ReconciliationRepository = ReturnType<typeof createReconciliationRepository>;
