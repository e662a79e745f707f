import { createCarrierActivities, type CarrierActivityDeps } from './carrier.ts';
import { createEscalationAlertActivities, type EscalationAlertDeps } from './escalation-alert.ts';
import { createMerchantNotificationActivities, type MerchantNotificationDeps } from './merchant-notification.ts';
import { createOrderViewActivities } from './order-view.ts';
import { createReconciliationActivities, type ReconciliationActivityDeps } from './reconciliation.ts';
import { createRefundActivities, type RefundActivityDeps } from './refund.ts';

export type ActivityDeps = CarrierActivityDeps & MerchantNotificationDeps & EscalationAlertDeps & RefundActivityDeps & ReconciliationActivityDeps;

/** All activities of the order and reconciliation workflows, built over their dependencies (real ones in the worker, fakes in tests). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCarrierActivities(deps),
    ...createOrderViewActivities(deps),
    ...createMerchantNotificationActivities(deps),
    ...createEscalationAlertActivities(deps),
    ...createRefundActivities(deps),
    ...createReconciliationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
