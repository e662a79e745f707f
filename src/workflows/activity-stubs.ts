/** The activities as the order workflows call them, each with the timeouts and retries its job needs. */
import { proxyActivities, proxyLocalActivities, type ActivityInterfaceFor } from '@temporalio/workflow';
import type {
  AlertActivities,
  MerchantNotificationActivities,
  OrderViewActivities,
  RefundActivities,
} from '../shared/order-activities.ts';
import type { RoutingActivities, SupplierActivities } from '../shared/suppliers.ts';
import type { ReconciliationBookActivities, ReconciliationCarrierActivities } from '../shared/reconciliation.ts';
import type { ReversalActivities } from '../shared/reversal.ts';
import type { StatementActivities } from '../shared/statements.ts';

/** Supplier calls: transient faults retried with exponential backoff (1 s doubling to 30 s, 8 attempts). */
const SUPPLIER_CALL = {
  // Above the carrier client's own HTTP timeout, so a hung call fails as a timeout of the call.
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 },
} as const;

/** Routing reads the suppliers' current data (a local activity: no round trip to the server, and its answer is recorded). */
export const routing = proxyLocalActivities<RoutingActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

const supplierStubs = new Map<string, ActivityInterfaceFor<SupplierActivities>>();

/**
 * A supplier's calls, on its own task queue (rate-limited by the server
 * across every worker), retried as carrier calls are. Waiting in the queue
 * counts toward no timeout but the SLA.
 */
export function supplier(taskQueue: string): ActivityInterfaceFor<SupplierActivities> {
  let stub = supplierStubs.get(taskQueue);
  if (!stub) {
    stub = proxyActivities<SupplierActivities>({ ...SUPPLIER_CALL, taskQueue });
    supplierStubs.set(taskQueue, stub);
  }
  return stub;
}

/** Order-view writes: local (no extra round trip to the server) and retried without limit, since the view must catch up. */
export const view = proxyLocalActivities<OrderViewActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** The merchant's result notification (and recording that it gave up): growing intervals up to an hour, for about a day, as payment platforms do. */
export const merchant = proxyActivities<MerchantNotificationActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1h' },
});

/** On-call alerts: a few quick tries; an alert that cannot be sent must not hold the order up. */
export const alerts = proxyActivities<AlertActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** Money: a refund must eventually happen, so it is retried without limit (each attempt is one idempotent statement). */
export const money = proxyActivities<RefundActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** A reconciliation run has no deadline: it waits out an outage of the database or the carrier. */
const RECONCILIATION_RETRY = { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' };

/** Reconciliation's database pages: one query each. */
export const books = proxyActivities<ReconciliationBookActivities>({
  startToCloseTimeout: '5m',
  retry: RECONCILIATION_RETRY,
});

/** Reconciliation's carrier status calls: a page of them, heartbeating after each, so a hung call is noticed in a minute. */
export const carrierChecks = proxyActivities<ReconciliationCarrierActivities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '1m',
  retry: RECONCILIATION_RETRY,
});

/** A reversal's money: like a refund, retried without limit (one idempotent statement). */
export const reversals = proxyActivities<ReversalActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** Statement issuing: a page of merchants per call, retried until the database answers (the next hour's run would catch up too). */
export const statementBooks = proxyActivities<StatementActivities>({
  startToCloseTimeout: '5m',
  retry: RECONCILIATION_RETRY,
});
