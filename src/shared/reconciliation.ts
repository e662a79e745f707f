/** What the reconciliation workflow, its schedule, the worker and the admin API agree on. Workflow-safe. */

export const RECONCILIATION_WORKFLOW_TYPE = 'reconciliation';
/** The Temporal Schedule that runs a reconciliation every day. */
export const RECONCILIATION_SCHEDULE_ID = 'reconciliation-daily';

/** An on-demand run; its workflow id is also the run's id. */
export const manualReconciliationId = (uuid: string) => `reconciliation-${uuid}`;

/** The passes of a run, in order: orders against the ledger, balances against their entries, stale orders against the carrier. */
export type ReconciliationPass = 'orders' | 'balances' | 'stale-orders';

/** Where a run is, carried over by continue-as-new. */
export interface ReconciliationProgress {
  cutoff: string;
  pass: ReconciliationPass;
  /** The pass goes on after this order or merchant id ('' from the start). */
  after: string;
  checkedOrders: number;
  checkedMerchants: number;
}

export interface ReconciliationInput {
  trigger: 'schedule' | 'manual';
  /** Open orders older than this (the SLA) are checked against the carrier. */
  staleAfterSeconds: number;
  /** A FAILED order is refunded right after it fails; only one that failed this long ago counts as missing its refund. */
  settleSeconds: number;
  /** Absent on a new run. */
  resumed?: ReconciliationProgress;
}

export interface ReconciliationReport {
  runId: string;
  checkedOrders: number;
  checkedMerchants: number;
  mismatches: number;
}
