import { heartbeat, log } from '@temporalio/activity';
import type { CarrierClient } from '../carrier/client.ts';
import type { ReconciliationRepository, StaleOrder } from '../db/reconciliation-repository.ts';
import type {
  PageInput,
  PageResult,
  ReconciliationBookActivities,
  ReconciliationCarrierActivities,
} from '../shared/reconciliation.ts';
import {
  balanceMismatch,
  carrierMismatch,
  orderMoneyMismatches,
  supplierBalanceMismatch,
  type Mismatch,
} from '../reconciliation/checks.ts';
import type { SupplierLedgerRepository } from '../db/supplier-ledger-repository.ts';
import type { CarrierStatus } from '../shared/carrier-protocol.ts';
import { supplierRequestId } from '../shared/suppliers.ts';
import type { SupplierDirectory } from '../suppliers/directory.ts';

export interface ReconciliationActivityDeps {
  reconciliations: ReconciliationRepository;
  supplierLedger: Pick<SupplierLedgerRepository, 'balanceMismatches'>;
  /** The carrier of orders sent before suppliers. */
  carrier: CarrierClient;
  directory: SupplierDirectory;
}

/**
 * The status of an order's latest attempt, from its supplier (or from the
 * carrier of orders sent before suppliers); undefined for a routed order no
 * supplier may hold (every attempt declined, or none sent): nothing to ask.
 */
async function statusOf(
  { carrier, directory }: ReconciliationActivityDeps,
  order: StaleOrder,
): Promise<CarrierStatus | undefined> {
  if (!order.routed) return carrier.status(order.id);
  if (order.supplierId === null || order.attempt === null || order.declined) return undefined;
  const { client } = await directory.get(order.supplierId);
  return client.status(supplierRequestId(order.id, order.attempt));
}

/** Stores what a check found and logs each finding, for whoever watches the logs rather than the report. */
async function recordFindings(
  reconciliations: ReconciliationRepository,
  runId: string,
  mismatches: Mismatch[],
): Promise<void> {
  for (const mismatch of mismatches) log.warn('Reconciliation mismatch', { runId, ...mismatch });
  await reconciliations.recordMismatches(runId, mismatches);
}

/** How many rows a page checked, and the id to go on after when the page was full. */
function pageResult<T>(rows: T[], limit: number, idOf: (row: T) => string): PageResult {
  return rows.length === limit ? { checked: rows.length, next: idOf(rows.at(-1) as T) } : { checked: rows.length };
}

/** The run's bookkeeping and its checks of the database's own books (orders against entries, balances against sums). */
function bookActivities({ reconciliations, supplierLedger }: ReconciliationActivityDeps) {
  const record = (runId: string, mismatches: Mismatch[]) => recordFindings(reconciliations, runId, mismatches);
  return {
    async beginReconciliation({ runId, trigger }: { runId: string; trigger: string }): Promise<string> {
      return (await reconciliations.begin(runId, trigger)).toISOString();
    },

    /** Checks one page of orders against their ledger entries. */
    async reconcileOrderMoney({
      runId,
      cutoff,
      after,
      limit,
      settleSeconds,
      checkedBefore,
    }: PageInput & { cutoff: string; settleSeconds: number; checkedBefore: number }): Promise<PageResult> {
      const orders = await reconciliations.orderMoneyPage({ cutoff: new Date(cutoff), after, limit });
      const settledBefore = new Date(Date.parse(cutoff) - settleSeconds * 1000);
      await record(
        runId,
        orders.flatMap((order) => orderMoneyMismatches(order, settledBefore)),
      );
      await reconciliations.recordProgress(runId, { checkedOrders: checkedBefore + orders.length });
      return pageResult(orders, limit, (order) => order.orderId);
    },

    /** Checks one page of merchants' cached balances against the sums of their entries. */
    async reconcileBalances({
      runId,
      after,
      limit,
      checkedBefore,
    }: PageInput & { checkedBefore: number }): Promise<PageResult> {
      const balances = await reconciliations.balancesWithLedgerSums({ after, limit });
      // The suppliers' prepaid balances are few: they are checked with the first page of merchants.
      const suppliers = after === '' ? (await supplierLedger.balanceMismatches()).map(supplierBalanceMismatch) : [];
      await record(runId, [
        ...balances.flatMap(
          ({ merchantId, balanceFen, ledgerFen }) => balanceMismatch(merchantId, balanceFen, ledgerFen) ?? [],
        ),
        ...suppliers,
      ]);
      await reconciliations.recordProgress(runId, { checkedMerchants: checkedBefore + balances.length });
      return pageResult(balances, limit, (balance) => balance.merchantId);
    },

    async finishReconciliation({ runId }: { runId: string }): Promise<number> {
      return reconciliations.finish(runId, new Date());
    },
  } satisfies ReconciliationBookActivities;
}

/** Asks the suppliers about one page of orders still open past their SLA. */
function staleOrderCheck(deps: ReconciliationActivityDeps) {
  return {
    async reconcileStaleOrders({
      runId,
      createdBefore,
      after,
      limit,
    }: PageInput & { createdBefore: string }): Promise<PageResult> {
      const orders = await deps.reconciliations.staleOpenOrders({
        createdBefore: new Date(createdBefore),
        after,
        limit,
      });
      const found: Mismatch[] = [];
      for (const order of orders) {
        const status = await statusOf(deps, order).catch((error: unknown) => ({
          state: 'UNAVAILABLE' as const,
          error: String(error),
        }));
        const mismatch =
          status && carrierMismatch({ orderId: order.id, merchantId: order.merchantId, status: order.status }, status);
        if (mismatch) found.push(mismatch);
        heartbeat();
      }
      await recordFindings(deps.reconciliations, runId, found);
      return pageResult(orders, limit, (order) => order.id);
    },
  } satisfies ReconciliationCarrierActivities;
}

export function createReconciliationActivities(deps: ReconciliationActivityDeps) {
  return { ...bookActivities(deps), ...staleOrderCheck(deps) };
}
