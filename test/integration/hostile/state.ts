/** What a refused request must leave unchanged: the database's tables and Temporal's workflows. */
import type { Client } from '@temporalio/client';
import type { Db } from '../../../src/db/prisma.ts';

/**
 * Row counts, sums and last-update times of every table that holds orders,
 * money, merchants and their keys, suppliers, callbacks, reconciliations (supplier bills too) and risk limits, in one round trip (it runs
 * after every request). Text, so that bigints compare plainly.
 */
export async function databaseState(db: Db): Promise<Record<string, string>> {
  const [row] = await db.$queryRaw<Record<string, string>[]>`
    SELECT
      (SELECT count(*) || ' ' || coalesce(max(updated_at)::text, '-') || ' review:' || count(*) FILTER (WHERE needs_review) FROM orders) AS orders,
      (SELECT coalesce(string_agg(status::text || '=' || n, ',' ORDER BY status), '') FROM (SELECT status, count(*) AS n FROM orders GROUP BY status) s) AS "orderStatuses",
      (SELECT count(*)::text FROM order_events) AS "orderEvents",
      (SELECT count(*)::text FROM carrier_callbacks) AS callbacks,
      (SELECT count(*) || ' ' || coalesce(sum(balance_fen), 0) || ' credit:' || coalesce(sum(credit_limit_fen), 0) || ' low:' || coalesce(sum(low_balance_fen), 0) || ' zones:' || coalesce(string_agg(time_zone, ',' ORDER BY id), '') || ' ' || coalesce(max(updated_at)::text, '-') FROM merchants) AS merchants,
      (SELECT count(*) || ' ' || coalesce(sum(rate), 0) || ' slow:' || coalesce(sum(slow_rate), 0) FROM merchant_rates) AS "merchantRates",
      (SELECT count(*) || ' revoked:' || count(revoked_at) || ' ' || coalesce(max(revoked_at)::text, '-') FROM merchant_api_keys) AS "merchantApiKeys",
      (SELECT coalesce(string_agg(type::text || '=' || n || '/' || fen, ',' ORDER BY type), '') FROM (SELECT type, count(*) AS n, sum(amount_fen) AS fen FROM ledger_entries GROUP BY type) s) AS "ledgerEntries",
      (SELECT count(*) || ' ' || coalesce(sum(balance_fen), 0) || ' ' || coalesce(string_agg(concat_ws(':', id, name, base_url, enabled, priority, weight, rate_limit_per_second, concurrency_limit, low_balance_fen, provinces, speeds), ',' ORDER BY id), '') FROM suppliers) AS suppliers,
      (SELECT count(*) || ' ' || coalesce(sum(rate), 0) FROM supplier_rates) AS "supplierRates",
      (SELECT count(*)::text FROM supplier_ledger_entries) AS "supplierLedgerEntries",
      (SELECT count(*)::text FROM reconciliation_runs) AS "reconciliationRuns",
      (SELECT count(*)::text FROM merchant_statements) AS "merchantStatements",
      (SELECT count(*)::text FROM reconciliation_mismatches) AS "reconciliationMismatches",
      (SELECT count(*)::text FROM supplier_bill_runs) AS "supplierBillRuns",
      (SELECT count(*)::text FROM supplier_bill_differences) AS "supplierBillDifferences",
      (SELECT count(*)::text FROM blocked_numbers) AS "blockedNumbers",
      (SELECT concat_ws(':', per_number_daily_orders, per_number_daily_amount_yuan, updated_at) FROM risk_limits) AS "riskLimits",
      (SELECT count(*) || ' ' || coalesce(sum(version), 0) FROM number_order_guards) AS "numberOrderGuards"`;
  return row as Record<string, string>;
}

/** What a valid callback for a decided order may change (it is stored, and a contradiction flags the order); money and outcomes never. */
export const moneyAndOutcomes = ({
  orderStatuses,
  merchants,
  ledgerEntries,
  reconciliationRuns,
}: Record<string, string>) => ({
  orderStatuses,
  merchants,
  ledgerEntries,
  reconciliationRuns,
});

/** Every workflow execution Temporal knows, open or closed (visibility: eventually consistent). */
export async function workflowCount(client: Client): Promise<number> {
  return (await client.workflow.count()).count;
}
