import { createCarrierActivities, type CarrierActivityDeps } from './carrier.ts';
import { createOrderViewActivities } from './order-view.ts';

export type ActivityDeps = CarrierActivityDeps;

/** All activities of the order workflow, built over their dependencies (real ones in the worker, fakes in tests). */
export function createActivities(deps: ActivityDeps) {
  return { ...createCarrierActivities(deps), ...createOrderViewActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
