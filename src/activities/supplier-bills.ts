import { log } from '@temporalio/activity';
import type { SupplierRepository } from '../db/supplier-repository.ts';
import type { SupplierBillActivities } from '../shared/supplier-bill-reconciliation.ts';
import type { SupplierBillService } from '../supplier-bills/bill-service.ts';

export interface SupplierBillActivityDeps {
  supplierBills: Pick<SupplierBillService, 'reconcile'>;
  suppliers: Pick<SupplierRepository, 'list'>;
}

/** The scheduled supplier bill reconciliation's steps. */
export function createSupplierBillActivities({ supplierBills, suppliers }: SupplierBillActivityDeps) {
  return {
    async billedSupplierIds() {
      return (await suppliers.list()).filter((supplier) => supplier.enabled).map((supplier) => supplier.id);
    },

    /** Each difference is a warn line, as every reconciliation finding is; a bill that cannot be had is one too. */
    async reconcileSupplierBill({ supplierId, day, runId }) {
      const result = await supplierBills.reconcile({ supplierId, day, runId, trigger: 'schedule' });
      if (result.kind !== 'done') {
        const error = result.kind === 'no-supplier' ? `no supplier ${supplierId}` : result.message;
        log.warn('Supplier bill not reconciled', { supplierId, day, error });
        return { supplierId, differences: 0, error };
      }
      // The same alert as every reconciliation finding: one 'Reconciliation mismatch' warn line each.
      for (const { kind, requestId, ours, theirs } of result.run.differences)
        log.warn('Reconciliation mismatch', {
          runId,
          kind: `supplier-bill-${kind}`,
          subject: requestId,
          supplierId,
          day,
          ours,
          theirs,
        });
      return { supplierId, runId, differences: result.run.differences.length };
    },
  } satisfies SupplierBillActivities;
}
