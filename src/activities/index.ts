import { createEscalationAlertActivities, type EscalationAlertDeps } from './escalation-alert.ts';
import { createMerchantNotificationActivities, type MerchantNotificationDeps } from './merchant-notification.ts';
import { createOrderViewActivities, type OrderViewDeps } from './order-view.ts';
import { createReconciliationActivities, type ReconciliationActivityDeps } from './reconciliation.ts';
import { createRefundActivities, type RefundActivityDeps } from './refund.ts';
import { createRoutingActivities, type RoutingActivityDeps } from './routing.ts';
import { createStatementActivities, type StatementActivityDeps } from './statements.ts';

export type ActivityDeps = OrderViewDeps &
  RoutingActivityDeps &
  MerchantNotificationDeps &
  EscalationAlertDeps &
  RefundActivityDeps &
  ReconciliationActivityDeps &
  StatementActivityDeps;

/**
 * The activities of the order task queue (order and reconciliation
 * workflows), built over their dependencies (real ones in the worker, fakes
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
    ...createReconciliationActivities(deps),
    ...createStatementActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
