/** What the supplier bill workflow, its activities and its Schedule agree on. Workflow-safe. */

export const SUPPLIER_BILL_WORKFLOW_TYPE = 'supplierBillReconciliation';
/** The Schedule's id; each run's workflow id is this and its scheduled time. */
export const SUPPLIER_BILL_SCHEDULE_ID = 'supplier-bills-daily';

export interface SupplierBillInput {
  /** The UTC day to reconcile (YYYY-MM-DD); absent: the day before the run's start (UTC). */
  day?: string;
}

/** One supplier's run as the workflow reports it. */
export interface SupplierBillRunSummary {
  supplierId: string;
  /** Absent when the bill could not be fetched (`error` says why). */
  runId?: string;
  differences: number;
  error?: string;
}

export interface SupplierBillActivities {
  /** The enabled suppliers, whose bills are reconciled. */
  billedSupplierIds(): Promise<string[]>;
  /** Reconciles one supplier's bill of a day (stored as run `runId`) and raises the alert for its differences. */
  reconcileSupplierBill(input: { supplierId: string; day: string; runId: string }): Promise<SupplierBillRunSummary>;
}
