import { continueAsNew, log, workflowInfo } from '@temporalio/workflow';
import type {
  PageResult,
  ReconciliationInput,
  ReconciliationPass,
  ReconciliationProgress,
  ReconciliationReport,
} from '../shared/reconciliation.ts';
import { books, carrierChecks } from './activity-stubs.ts';

/** Orders or merchants per activity call: one query and one batch insert, well within the activity's timeout. */
const PAGE_SIZE = 1000;
/** Carrier status calls per activity call (each may take the carrier client's whole timeout). */
const CARRIER_PAGE_SIZE = 20;
const PASSES: readonly ReconciliationPass[] = ['orders', 'balances', 'stale-orders'];

/**
 * Checks the books: every order accepted before the run's cut-off against its
 * ledger entries, every merchant's balance against the sum of its entries,
 * and every order still open past its SLA against the carrier. Each finding
 * is recorded (table and log line); the run's id is this workflow's id. Each
 * pass goes page by page, and the run continues as new when its history
 * grows long, so it scales with the number of orders.
 */
export async function reconciliation(input: ReconciliationInput): Promise<ReconciliationReport> {
  const runId = workflowInfo().workflowId;
  const progress: ReconciliationProgress = input.resumed ?? {
    cutoff: await books.beginReconciliation({ runId, trigger: input.trigger }),
    pass: 'orders',
    after: '',
    checkedOrders: 0,
    checkedMerchants: 0,
  };
  const staleBefore = new Date(Date.parse(progress.cutoff) - input.staleAfterSeconds * 1000).toISOString();

  const checkPage = (pass: ReconciliationPass): Promise<PageResult> => {
    const { cutoff, after } = progress;
    if (pass === 'orders')
      return books.reconcileOrderMoney({
        runId,
        cutoff,
        after,
        limit: PAGE_SIZE,
        settleSeconds: input.settleSeconds,
        checkedBefore: progress.checkedOrders,
      });
    if (pass === 'balances')
      return books.reconcileBalances({ runId, after, limit: PAGE_SIZE, checkedBefore: progress.checkedMerchants });
    return carrierChecks.reconcileStaleOrders({ runId, createdBefore: staleBefore, after, limit: CARRIER_PAGE_SIZE });
  };

  for (const pass of PASSES.slice(PASSES.indexOf(progress.pass))) {
    if (pass !== progress.pass) {
      progress.pass = pass;
      progress.after = '';
    }
    for (;;) {
      const page = await checkPage(pass);
      if (pass === 'orders') progress.checkedOrders += page.checked;
      if (pass === 'balances') progress.checkedMerchants += page.checked;
      if (page.next === undefined) break;
      progress.after = page.next;
      if (workflowInfo().continueAsNewSuggested)
        return continueAsNew<typeof reconciliation>({ ...input, resumed: progress });
    }
  }

  const mismatches = await books.finishReconciliation({ runId });
  const report = {
    runId,
    checkedOrders: progress.checkedOrders,
    checkedMerchants: progress.checkedMerchants,
    mismatches,
  };
  if (mismatches > 0) log.warn('Reconciliation found mismatches', { ...report });
  else log.info('Reconciliation found no mismatch', { ...report });
  return report;
}
