import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { log, uuid4, workflowInfo } from '@temporalio/workflow';
import type { SupplierBillInput, SupplierBillRunSummary } from '../shared/supplier-bill-reconciliation.ts';
import { supplierBills } from './supplier-bill-stubs.ts';

const DAY_MS = 86_400_000;
/** Set by the server on every workflow a schedule starts: the time it was scheduled for. */
const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * Reconciles every enabled supplier's bill of one UTC day (by default the
 * day before the run was scheduled for) with what we recorded, one supplier after
 * another; each run is stored, and its differences raise the reconciliation
 * alert (the activity's warn lines). A supplier whose bill cannot be had is
 * reported and the others go on.
 */
export async function supplierBillReconciliation(input: SupplierBillInput = {}): Promise<SupplierBillRunSummary[]> {
  // The day before the one it was scheduled for (a run the server starts late, after an outage across midnight, still
  // reconciles the intended day); started by hand with no day, the day before it started.
  const scheduledAt = workflowInfo().typedSearchAttributes.get(ScheduledStartTime) ?? workflowInfo().startTime;
  const day = input.day ?? new Date(scheduledAt.getTime() - DAY_MS).toISOString().slice(0, 10);
  const runs: SupplierBillRunSummary[] = [];
  for (const supplierId of await supplierBills.billedSupplierIds())
    runs.push(await supplierBills.reconcileSupplierBill({ supplierId, day, runId: uuid4() }));
  const differences = runs.reduce((sum, run) => sum + run.differences, 0);
  if (differences > 0 || runs.some((run) => run.error)) log.warn('Supplier bills differ', { day, runs });
  else log.info('Supplier bills match', { day, suppliers: runs.length });
  return runs;
}
