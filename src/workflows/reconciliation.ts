import { continueAsNew, log, workflowInfo } from '@temporalio/workflow';
import type { PageResult } from '../activities/reconciliation.ts';
import type { ReconciliationInput, ReconciliationReport } from '../shared/reconciliation.ts';
import { books } from './activity-stubs.ts';

/** Orders per activity call: one query and one batch insert, well within the activity's timeout. */
const PAGE_SIZE = 1000;
/** Carrier status calls per activity call (each may take the carrier client's whole timeout). */
const CARRIER_PAGE_SIZE = 20;

/**
 * Checks the books: every order accepted before the run's cut-off against its
 * ledger entries, every merchant's balance against the sum of its entries,
 * and every order still open past its SLA against the carrier. Each finding
 * is recorded (table and log line); the run's id is this workflow's id.
 */
export async function reconciliation(input: ReconciliationInput): Promise<ReconciliationReport> {
  const runId = workflowInfo().workflowId;
  const cutoff = input.resumed?.cutoff ?? (await books.beginReconciliation({ runId, trigger: input.trigger }));
  let checkedOrders = input.resumed?.checkedOrders ?? 0;
  let afterOrderId: string | undefined = input.resumed?.afterOrderId ?? '';

  while (afterOrderId !== undefined) {
    const page: PageResult = await books.reconcileOrderMoney({ runId, cutoff, afterOrderId, limit: PAGE_SIZE, settleSeconds: input.settleSeconds, checkedBefore: checkedOrders });
    checkedOrders += page.checked;
    afterOrderId = page.nextAfterOrderId;
    // A run over millions of orders keeps its history short.
    if (afterOrderId !== undefined && workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof reconciliation>({ ...input, resumed: { cutoff, afterOrderId, checkedOrders } });
    }
  }

  const balances = await books.reconcileBalances({ runId });

  const createdBefore = new Date(Date.parse(cutoff) - input.staleAfterSeconds * 1000).toISOString();
  for (let after: string | undefined = ''; after !== undefined; ) {
    after = (await books.reconcileStaleOrders({ runId, createdBefore, afterOrderId: after, limit: CARRIER_PAGE_SIZE })).nextAfterOrderId;
  }

  const mismatches = await books.finishReconciliation({ runId });
  const report = { runId, checkedOrders, checkedMerchants: balances.checked, mismatches };
  if (mismatches > 0) log.warn('Reconciliation found mismatches', { ...report });
  else log.info('Reconciliation found no mismatch', { ...report });
  return report;
}
