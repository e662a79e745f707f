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

/** One page of a reconciliation pass: how many orders or merchants it checked, and where the next page starts. */
export interface PageResult {
  checked: number;
  /** The id to go on after; undefined when this was the last page. */
  next?: string;
}

export interface PageInput {
  runId: string;
  /** The page starts after this order or merchant id ('' for the first page). */
  after: string;
  limit: number;
}

/** The reconciliation's database pages (the `books` stub). */
export interface ReconciliationBookActivities {
  /** Opens the run (once); returns its cut-off: orders accepted later belong to the next run. */
  beginReconciliation(input: { runId: string; trigger: string }): Promise<string>;
  reconcileOrderMoney(
    input: PageInput & { cutoff: string; settleSeconds: number; checkedBefore: number },
  ): Promise<PageResult>;
  reconcileBalances(input: PageInput & { checkedBefore: number }): Promise<PageResult>;
  /** Completes the run; returns how many mismatches it recorded in all. */
  finishReconciliation(input: { runId: string }): Promise<number>;
}

/** The reconciliation's carrier status calls (the `carrierChecks` stub). */
export interface ReconciliationCarrierActivities {
  reconcileStaleOrders(input: PageInput & { createdBefore: string }): Promise<PageResult>;
}
