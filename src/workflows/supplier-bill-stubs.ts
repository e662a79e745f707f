import { proxyActivities } from '@temporalio/workflow';
import type { SupplierBillActivities } from '../shared/supplier-bill-reconciliation.ts';

/** Supplier bill reconciliation: a bill fetch and a few queries per supplier, retried as reconciliation's are. */
export const supplierBills = proxyActivities<SupplierBillActivities>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 10 },
});
