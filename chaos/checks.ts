import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import { merchantAccount } from '../src/db/ledger-accounts.ts';
import { segmentTable } from '../src/numbers/segments.ts';
import { orderStateQuery, orderWorkflowId } from '../src/shared/order-workflow.ts';
import { isFinal, type OrderStatus } from '../src/shared/order-status.ts';
import type { Cluster } from './cluster.ts';
import type { PlannedOrder, RunMerchant } from './load.ts';
import { reversalChecks } from './reversal-checks.ts';
import type { ReversalRecord } from './reversals.ts';
import { statementAndBillChecks } from './statement-bill-checks.ts';
import { supplierChecks } from './supplier-checks.ts';

/** One line of the verdict: what was measured, what it must be, and whether it is. */
export interface CheckRow {
  check: string;
  value: string | number;
  expected: string;
  ok: boolean;
}

export interface OrderRow {
  id: string;
  merchantId: string;
  phone: string;
  status: string;
  costFen: number;
  finishedAt: Date | null;
}

export async function readOrders(cluster: Cluster): Promise<OrderRow[]> {
  const { rows } = await cluster.db.query(
    `SELECT id, merchant_id AS "merchantId", phone, status::text AS status, cost_fen::float8 AS "costFen", finished_at AS "finishedAt" FROM orders`,
  );
  return rows as OrderRow[];
}

export const exactly = (check: string, value: number, expected: number): CheckRow => ({
  check,
  value,
  expected: `${expected}`,
  ok: value === expected,
});
export const atMost = (check: string, value: number, limit: number): CheckRow => ({
  check,
  value,
  expected: `≤ ${limit}`,
  ok: value <= limit,
});
/** A figure the report shows for the reader, with nothing it must be. */
export const info = (check: string, value: number | string): CheckRow => ({
  check,
  value,
  expected: '(reported)',
  ok: true,
});

/** The workflow's own status (its `orderState` query), or why there is none. */
async function workflowStatus(cluster: Cluster, orderId: string): Promise<string> {
  const handle = cluster.client.workflow.getHandle(orderWorkflowId(orderId));
  for (let attempt = 0; ; attempt++) {
    try {
      return (await handle.query(orderStateQuery)).status;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'NO_WORKFLOW';
      if (attempt === 4) return `QUERY_FAILED: ${error instanceof Error ? error.message : String(error)}`;
      await sleep(1_000);
    }
  }
}

/** Runs `task` over `items`, `concurrency` at a time. */
async function mapLimited<T, R>(items: T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as T);
    }),
  );
  return results;
}

/** Orders: none accepted and lost, and the view agrees with each workflow's own state. */
async function orderChecks(cluster: Cluster, planned: PlannedOrder[], orders: OrderRow[]): Promise<CheckRow[]> {
  const inView = new Map(orders.map((order) => [order.id, order]));
  const acceptedNotInView = planned.filter((order) => order.orderId && !inView.has(order.orderId)).length;
  const states = await mapLimited(orders, 8, async (order) => ({
    order,
    workflow: await workflowStatus(cluster, order.id),
  }));
  const lost = states.filter(
    ({ order, workflow }) => workflow === 'NO_WORKFLOW' && !isFinal(order.status as OrderStatus),
  ).length;
  // A reversal runs as its own workflow: the order's own ended SUCCEEDED.
  const agrees = (view: string, workflow: string) =>
    workflow === view || (view === 'REVERSED' && workflow === 'SUCCEEDED');
  const disagreeing = states.filter(({ order, workflow }) => !agrees(order.status, workflow));
  for (const { order, workflow } of disagreeing.slice(0, 10))
    console.log(`   view ${order.status} but workflow ${workflow}: order ${order.id}`);
  return [
    exactly('orders accepted by an API but missing from the order view', acceptedNotInView, 0),
    exactly('orders lost (accepted, no workflow, not final)', lost, 0),
    exactly("orders whose view status differs from the workflow's own state", disagreeing.length, 0),
  ];
}

/** Face value × the merchant's rate, rounded half up to the fen: worked out here, not read from the order, so a pricing bug shows. */
const expectedCostFen = (order: PlannedOrder) => {
  const ppm = Math.round(
    order.merchant.rates[segmentTable().lookup(order.phone)?.carrier as keyof RunMerchant['rates']] * 1_000_000,
  );
  return Math.floor((order.amount * 100 * ppm + 500_000) / 1_000_000);
};

/** Orders whose cost went back to the merchant: refunded on failure, or on a reversal. */
const REFUNDED = ['FAILED', 'REVERSED'];

/** The ledger: one refund per FAILED order, none otherwise, and every balance adds up. */
async function moneyChecks(
  cluster: Cluster,
  merchants: RunMerchant[],
  planned: PlannedOrder[],
  orders: OrderRow[],
): Promise<CheckRow[]> {
  const { rows: refundRows } = await cluster.db.query<{ orderId: string; n: number }>(
    `SELECT order_id AS "orderId", count(*)::int AS n FROM ledger_entries WHERE type = 'ORDER_REFUND' GROUP BY order_id`,
  );
  const refunds = new Map(refundRows.map((row) => [row.orderId, row.n]));
  const maxRefunds = Math.max(0, ...refunds.values());
  const failed = orders.filter((order) => order.status === 'FAILED');
  const failedUnrefunded = failed.filter((order) => !refunds.has(order.id)).length;
  const refundedNotFailed = orders.filter((order) => order.status !== 'FAILED' && refunds.has(order.id)).length;

  const plannedById = new Map(planned.flatMap((order) => (order.orderId ? [[order.orderId, order] as const] : [])));
  const expectedCost = (order: OrderRow) => {
    const plan = plannedById.get(order.id);
    return plan ? expectedCostFen(plan) : Number.NaN; // an order the load did not place: its cost cannot be known, so the balance check fails
  };
  const mispriced = orders.filter((order) => order.costFen !== expectedCost(order)).length;
  const wrongBalances: string[] = [];
  for (const merchant of merchants) {
    const { rows } = await cluster.db.query(
      `SELECT m.balance_fen::float8 AS cached,
              (SELECT coalesce(sum(CASE WHEN credit_account = $2 THEN amount_fen ELSE -amount_fen END), 0) FROM ledger_entries WHERE merchant_id = m.id)::float8 AS ledger
         FROM merchants m WHERE m.id = $1`,
      [merchant.id, merchantAccount(merchant.id)],
    );
    const { cached, ledger } = rows[0] as { cached: number; ledger: number };
    const spent = orders
      .filter((order) => order.merchantId === merchant.id && !REFUNDED.includes(order.status))
      .reduce((sum, order) => sum + expectedCost(order), 0);
    const expected = merchant.openingFen - spent;
    if (cached !== ledger || ledger !== expected)
      wrongBalances.push(`${merchant.id}: cached ${cached}, ledger ${ledger}, opening − costs ${expected}`);
  }
  for (const line of wrongBalances) console.log(`   balance: ${line}`);
  return [
    exactly('orders whose cost ≠ face value × the merchant’s rate (worked out by the harness)', mispriced, 0),
    atMost('refunds of one order', maxRefunds, 1),
    exactly('FAILED orders not refunded', failedUnrefunded, 0),
    exactly('orders refunded but not FAILED', refundedNotFailed, 0),
    exactly(
      'merchants whose cached balance ≠ ledger sum ≠ opening − costs of orders neither FAILED nor REVERSED',
      wrongBalances.length,
      0,
    ),
  ];
}

/** A reconciliation run through the admin API, as an operator would start it after an incident; it must look at every order. */
async function reconciliationCheck(cluster: Cluster, orders: OrderRow[]): Promise<CheckRow> {
  const orderCount = orders.length;
  // An ESCALATED order waits for an operator (this run has none): what reconciliation finds about it is theirs to act on.
  const escalated = new Set(orders.filter((order) => order.status === 'ESCALATED').map((order) => order.id));
  const admin = { authorization: `Bearer ${cluster.secrets.adminToken}` };
  const started = await fetch(`${cluster.apiUrls[1]}/admin/reconciliations`, { method: 'POST', headers: admin });
  if (started.status !== 202)
    return { check: 'reconciliation run started', value: `HTTP ${started.status}`, expected: '202', ok: false };
  const { runId } = (await started.json()) as { runId: string };
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const report = (await (
      await fetch(`${cluster.apiUrls[1]}/admin/reconciliations/${runId}`, { headers: admin })
    ).json()) as {
      status: string;
      checkedOrders: number;
      mismatches: { kind: string; subject: string }[];
    };
    if (report.status === 'COMPLETED') {
      for (const mismatch of report.mismatches.slice(0, 10))
        console.log(`   reconciliation: ${mismatch.kind} ${mismatch.subject}`);
      const unexpected = report.mismatches.filter((mismatch) => !escalated.has(mismatch.subject)).length;
      const value = `${unexpected} mismatches (and ${report.mismatches.length - unexpected} about ESCALATED orders, for an operator), ${report.checkedOrders} orders checked`;
      return {
        check: `reconciliation run ${runId}`,
        value,
        expected: `0 mismatches, ${orderCount} orders checked`,
        ok: unexpected === 0 && report.checkedOrders === orderCount,
      };
    }
    await sleep(2_000);
  }
  return {
    check: `reconciliation run ${runId}`,
    value: 'not completed in 3 min',
    expected: 'completed, 0 mismatches',
    ok: false,
  };
}

export interface CheckResults {
  rows: CheckRow[];
  /** The order view as checked, for the report's counts. */
  orders: OrderRow[];
  /** Recharge requests the carrier got again for an order it had taken, and answered without charging (a re-send after an unknown outcome). */
  repeatedRequests: number;
}

export async function runChecks(
  cluster: Cluster,
  planned: PlannedOrder[],
  merchants: RunMerchant[],
  reversals: ReversalRecord[],
  startedAt: number,
): Promise<CheckResults> {
  const orders = await readOrders(cluster);
  const carrier = await supplierChecks(cluster, orders);
  const rows = [
    ...(await orderChecks(cluster, planned, orders)),
    ...carrier.rows,
    ...(await moneyChecks(cluster, merchants, planned, orders)),
    ...(await reversalChecks(cluster, orders, reversals)),
    await reconciliationCheck(cluster, orders),
    // Last: it plants a phantom charge at a supplier, which the supplier checks above must not see.
    ...(await statementAndBillChecks(cluster, startedAt, orders)),
  ];
  return { rows, orders, repeatedRequests: carrier.repeatedRequests };
}
