import type { BreakerSettings, SupplierRepository } from '../db/supplier-repository.ts';
import { supplierRequestId, supplierTaskQueue, type RouteDecision, type RoutingActivities, type SkippedSupplier } from '../shared/suppliers.ts';
import type { Clock } from '../suppliers/clock.ts';
import { rankSuppliers } from '../suppliers/routing.ts';

export interface RoutingActivityDeps {
  suppliers: SupplierRepository;
  breaker: BreakerSettings;
  clock: Clock;
}

export function createRoutingActivities({ suppliers, breaker, clock }: RoutingActivityDeps) {
  return {
    /**
     * Picks the supplier of an order's next attempt from the suppliers' data
     * as it is now (an admin's change counts at once): the first by priority
     * and weight that sells the product at no more than the merchant pays,
     * is enabled, has prepaid balance for the cost and a closed breaker, or
     * wins the claim of an open breaker's probe.
     */
    async routeOrder(input) {
      const [all, merchantPriceFen, now] = await Promise.all([suppliers.list(), suppliers.merchantPriceFen(input.orderId), clock()]);
      const routable = all.map((s) => ({ ...s, coolDownOver: s.breakerChangedAt.getTime() + breaker.coolDownMs <= now.getTime() }));
      const { candidates, skipped } = rankSuppliers(routable, { ...input, merchantPriceFen });
      const passed: SkippedSupplier[] = [...skipped];
      for (const candidate of candidates) {
        if (candidate.probe && !(await suppliers.claimProbe(candidate.supplierId, breaker, now))) {
          passed.push({ supplierId: candidate.supplierId, reason: 'circuit breaker open: another order is probing it', lasting: false });
          continue;
        }
        return {
          kind: 'chosen',
          supplierId: candidate.supplierId,
          taskQueue: supplierTaskQueue(candidate.supplierId),
          requestId: supplierRequestId(input.orderId, input.attempt),
          costFen: candidate.costFen,
          probe: candidate.probe,
          skipped: passed,
        } satisfies RouteDecision;
      }
      return { kind: passed.every((s) => s.lasting) ? 'none-left' : 'none-now', skipped: passed } satisfies RouteDecision;
    },
  } satisfies RoutingActivities;
}
