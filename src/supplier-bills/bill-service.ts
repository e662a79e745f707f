import type { Db } from '../db/prisma.ts';
import { createSupplierBillRepository } from '../db/supplier-bill-repository.ts';
import { createSupplierRepository } from '../db/supplier-repository.ts';
import type { BillDifference } from './compare.ts';
import {
  reconcileSupplierBill,
  storedRun,
  type BillReconciliationDeps,
  type BillReconciliationRequest,
} from './reconcile-bill.ts';

/** Supplier bill reconciliation as the API and the worker use it. */
export function createSupplierBillService(deps: BillReconciliationDeps) {
  return {
    /** Reconciles a supplier's bill of a day (fetched, or the CSV given) and stores the run. */
    reconcile: (request: BillReconciliationRequest) => reconcileSupplierBill(deps, request),
    /** A run of the supplier's, with its differences; undefined if there is none. */
    async run(supplierId: string, runId: string) {
      const found = await deps.bills.findRun(supplierId, runId);
      return found ? storedRun(found) : undefined;
    },
    /** Differences found by each enabled supplier's latest run (the dashboard's gauge). */
    latestDifferences: () => deps.bills.latestDifferences(),
  };
}

export type SupplierBillService = ReturnType<typeof createSupplierBillService>;

/**
 * For the fault suite (chaos/): reconciles the supplier's bill of `day`
 * (fetched from its base URL) and answers the differences. Throws if the
 * supplier is unknown or its bill cannot be had.
 */
export async function billDifferences(db: Db, supplierId: string, day: string): Promise<BillDifference[]> {
  const service = createSupplierBillService({
    bills: createSupplierBillRepository(db),
    suppliers: createSupplierRepository(db),
  });
  const result = await service.reconcile({ supplierId, day, trigger: 'api' });
  if (result.kind === 'done') return result.run.differences;
  throw new Error(
    result.kind === 'no-supplier' ? `no supplier ${supplierId}` : `bill of ${supplierId} for ${day}: ${result.message}`,
  );
}
