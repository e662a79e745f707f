import { heartbeat, log } from '@temporalio/activity';
import type { CarrierClient } from '../carrier/client.ts';
import type { ReconciliationRepository } from '../db/reconciliation-repository.ts';
import { balanceMismatch, carrierMismatch, orderMoneyMismatches, type Mismatch } from '../reconciliation/checks.ts';

export interface ReconciliationActivityDeps {
  reconciliations: ReconciliationRepository;
  carrier: CarrierClient;
}

/** One page of a pass over the orders: how many it checked, what it found, where the next page starts. */
export interface PageResult {
  checked: number;
  mismatches: number;
  /** Undefined when this was the last page. */
  nextAfterOrderId?: string;
}

export function createReconciliationActivities({ reconciliations, carrier }: ReconciliationActivityDeps) {
  /** Stores what a check found and logs each finding, for whoever watches the logs rather than the report. */
  async function record(runId: string, mismatches: Mismatch[]): Promise<number> {
    for (const mismatch of mismatches) log.warn('Reconciliation mismatch', { runId, ...mismatch });
    await reconciliations.recordMismatches(runId, mismatches);
    return mismatches.length;
  }
  const nextPage = <T>(rows: T[], limit: number, idOf: (row: T) => string) => (rows.length === limit ? idOf(rows.at(-1) as T) : undefined);

  return {
    /** Opens the run (once); returns its cut-off: orders accepted later belong to the next run. */
    async beginReconciliation({ runId, trigger }: { runId: string; trigger: string }): Promise<string> {
      return (await reconciliations.begin(runId, trigger)).toISOString();
    },

    /** Checks one page of orders against their ledger entries. */
    async reconcileOrderMoney(input: { runId: string; cutoff: string; afterOrderId: string; limit: number; settleSeconds: number; checkedBefore: number }): Promise<PageResult> {
      const orders = await reconciliations.orderMoneyPage({ cutoff: new Date(input.cutoff), afterOrderId: input.afterOrderId, limit: input.limit });
      const settledBefore = new Date(Date.parse(input.cutoff) - input.settleSeconds * 1000);
      const mismatches = await record(input.runId, orders.flatMap((order) => orderMoneyMismatches(order, settledBefore)));
      await reconciliations.recordProgress(input.runId, { checkedOrders: input.checkedBefore + orders.length });
      const next = nextPage(orders, input.limit, (order) => order.orderId);
      return { checked: orders.length, mismatches, ...(next && { nextAfterOrderId: next }) };
    },

    /** Checks every merchant's cached balance against the sum of its entries. */
    async reconcileBalances({ runId }: { runId: string }): Promise<PageResult> {
      const balances = await reconciliations.balancesWithLedgerSums();
      const mismatches = await record(runId, balances.flatMap(({ merchantId, balanceFen, ledgerFen }) => balanceMismatch(merchantId, balanceFen, ledgerFen) ?? []));
      await reconciliations.recordProgress(runId, { checkedMerchants: balances.length });
      return { checked: balances.length, mismatches };
    },

    /** Asks the carrier about one page of orders still open past their SLA. */
    async reconcileStaleOrders(input: { runId: string; createdBefore: string; afterOrderId: string; limit: number }): Promise<PageResult> {
      const orders = await reconciliations.staleOpenOrders({ createdBefore: new Date(input.createdBefore), afterOrderId: input.afterOrderId, limit: input.limit });
      const found: Mismatch[] = [];
      for (const order of orders) {
        const status = await carrier.status(order.id).catch((error: unknown) => ({ state: 'UNAVAILABLE' as const, error: String(error) }));
        const mismatch = carrierMismatch({ orderId: order.id, merchantId: order.merchantId, status: order.status }, status);
        if (mismatch) found.push(mismatch);
        heartbeat();
      }
      const next = nextPage(orders, input.limit, (order) => order.id);
      return { checked: orders.length, mismatches: await record(input.runId, found), ...(next && { nextAfterOrderId: next }) };
    },

    /** Completes the run; returns how many mismatches it recorded in all. */
    async finishReconciliation({ runId }: { runId: string }): Promise<number> {
      return reconciliations.finish(runId, new Date());
    },
  };
}
