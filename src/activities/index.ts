import { createEscalationAlertActivities, type EscalationAlertDeps } from './escalation-alert.ts';
import { createMerchantNotificationActivities, type MerchantNotificationDeps } from './merchant-notification.ts';
import { createOrderViewActivities, type OrderViewDeps } from './order-view.ts';
import { createReconciliationActivities, type ReconciliationActivityDeps } from './reconciliation.ts';
import { createRefundActivities, type RefundActivityDeps } from './refund.ts';
import { createReversalActivities, type ReversalActivityDeps } from './reversal.ts';
import { createRoutingActivities, type RoutingActivityDeps } from './routing.ts';
import { createSupplierBillActivities, type SupplierBillActivityDeps } from './supplier-bills.ts';
import { createStatementActivities, type StatementActivityDeps } from './statements.ts';

export type ActivityDeps = OrderViewDeps &
  RoutingActivityDeps &
  MerchantNotificationDeps &
  EscalationAlertDeps &
  RefundActivityDeps &
  ReversalActivityDeps &
  ReconciliationActivityDeps &
  SupplierBillActivityDeps &
  StatementActivityDeps;

/**
 * The activities of the order task queue (order, reversal, reconciliation,
 * supplier bill and statement workflows), built over their dependencies (real ones in the worker, fakes
 * in tests). The supplier calls run on each supplier's own task queue
 * (src/worker/supplier-workers.ts).
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createOrderViewActivities(deps),
    ...createRoutingActivities(deps),
    ...createMerchantNotificationActivities(deps),
    ...createEscalationAlertActivities(deps),
    ...createRefundActivities(deps),
    ...createReversalActivities(deps),
    ...createReconciliationActivities(deps),
    ...createSupplierBillActivities(deps),
    ...createStatementActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
