import { createCarrierActivities, type CarrierActivityDeps } from './carrier.ts';
import { createEscalationAlertActivities, type EscalationAlertDeps } from './escalation-alert.ts';
import { createMerchantNotificationActivities, type MerchantNotificationDeps } from './merchant-notification.ts';
import { createOrderViewActivities } from './order-view.ts';

export type ActivityDeps = CarrierActivityDeps & MerchantNotificationDeps & EscalationAlertDeps;

/** All activities of the order workflows, built over their dependencies (real ones in the worker, fakes in tests). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCarrierActivities(deps),
    ...createOrderViewActivities(deps),
    ...createMerchantNotificationActivities(deps),
    ...createEscalationAlertActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
