import { chargesOf, readRecords } from '../src/carrier-sim/records.ts';
import { parseSupplierRequestId } from '../src/shared/suppliers.ts';
import { atMost, exactly, info, type CheckRow, type OrderRow } from './checks.ts';
import type { Cluster } from './cluster.ts';
import type { ReversalRecord } from './reversals.ts';

/** The orders whose top-up a supplier's books on disk say it reversed. */
function reversedInSupplierBooks(cluster: Cluster): Set<string> {
  const reversed = new Set<string>();
  for (const { dataFile } of cluster.suppliers)
    for (const charge of chargesOf(readRecords(dataFile).orders.values()))
      if (charge.state === 'REVERSED') reversed.add(parseSupplierRequestId(charge.requestId)?.orderId ?? '');
  return reversed;
}

/**
 * Reversals: the view says REVERSED exactly where a supplier's books do; each
 * reversed order has one refund of its debit and one credit-back of its
 * supplier's charge; no other order has either.
 */
export async function reversalChecks(
  cluster: Cluster,
  orders: OrderRow[],
  asked: ReversalRecord[],
): Promise<CheckRow[]> {
  const booksReversed = reversedInSupplierBooks(cluster);
  const viewReversed = new Set(orders.filter((order) => order.status === 'REVERSED').map((order) => order.id));
  const { rows } = await cluster.db.query<{
    orderId: string;
    refunds: number;
    creditBacks: number;
    costs: number;
    even: boolean;
  }>(
    `SELECT o.id AS "orderId",
            (SELECT count(*) FROM ledger_entries e WHERE e.order_id = o.id AND e.type = 'ORDER_REVERSAL')::int AS refunds,
            (SELECT count(*) FROM supplier_ledger_entries s WHERE s.order_id = o.id AND s.type = 'ORDER_REVERSAL')::int AS "creditBacks",
            (SELECT count(*) FROM supplier_ledger_entries s WHERE s.order_id = o.id AND s.type = 'ORDER_COST')::int AS costs,
            coalesce((SELECT sum(amount_fen) FROM ledger_entries e WHERE e.order_id = o.id AND e.type = 'ORDER_REVERSAL')
                     = (SELECT sum(amount_fen) FROM ledger_entries e WHERE e.order_id = o.id AND e.type = 'ORDER_DEBIT'), true)
              AND coalesce((SELECT sum(amount_fen) FROM supplier_ledger_entries s WHERE s.order_id = o.id AND s.type = 'ORDER_REVERSAL')
                     = (SELECT sum(amount_fen) FROM supplier_ledger_entries s WHERE s.order_id = o.id AND s.type = 'ORDER_COST'), true) AS even
       FROM orders o
       WHERE o.status = 'REVERSED' OR EXISTS (SELECT 1 FROM ledger_entries e WHERE e.order_id = o.id AND e.type = 'ORDER_REVERSAL')
          OR EXISTS (SELECT 1 FROM supplier_ledger_entries s WHERE s.order_id = o.id AND s.type = 'ORDER_REVERSAL')`,
  );
  const money = new Map(rows.map((row) => [row.orderId, row]));
  const wrongMoney = [...viewReversed].filter((id) => {
    const row = money.get(id);
    // A reversal that came between the order's SUCCEEDED write and the booking of its cost finds no cost to credit back; the booking then finds the order REVERSED and books none.
    return !row || row.refunds !== 1 || row.creditBacks !== row.costs || !row.even;
  });
  const movedNotReversed = rows.filter((row) => !viewReversed.has(row.orderId)).length;
  for (const id of wrongMoney.slice(0, 10))
    console.log(`   reversal money: order ${id} ${JSON.stringify(money.get(id))}`);
  const answers: Record<string, number> = {};
  for (const answer of asked.flatMap((record) => record.answers)) answers[answer] = (answers[answer] ?? 0) + 1;
  return [
    exactly(
      'orders a supplier’s books say it reversed whose view is not REVERSED',
      [...booksReversed].filter((id) => !viewReversed.has(id)).length,
      0,
    ),
    exactly(
      'REVERSED orders no supplier’s books say it reversed',
      [...viewReversed].filter((id) => !booksReversed.has(id)).length,
      0,
    ),
    atMost('reversal refunds of one order', Math.max(0, ...rows.map((row) => row.refunds)), 1),
    exactly(
      'REVERSED orders without exactly one refund of their debit and one credit-back of their supplier’s charge (if booked)',
      wrongMoney.length,
      0,
    ),
    exactly('orders with a reversal refund or credit-back that are not REVERSED', movedNotReversed, 0),
    info(
      'reversals asked of the suppliers (asked twice; the order’s workflow still open); their answers',
      `${asked.length} (${asked.filter((r) => r.twice).length}; ${asked.filter((r) => r.workflowOpen).length}); ${Object.entries(
        answers,
      )
        .map(([status, n]) => `${status} ${n}`)
        .join(', ')}`,
    ),
  ];
}
