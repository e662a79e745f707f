import type { SupplierRepository } from '../db/supplier-repository.ts';
import { probing, type Breaker, type BreakerSettings } from '../suppliers/breaker.ts';
import { chosen, type RouteDecision, type RoutingActivities, type SkippedSupplier } from '../shared/suppliers.ts';
import type { Clock } from '../suppliers/clock.ts';
import { rankNow } from '../suppliers/routing.ts';

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
      const [all, merchantPriceFen, now] = await Promise.all([
        suppliers.list(),
        suppliers.merchantPriceFen(input.orderId),
        clock(),
      ]);
      const { candidates, skipped, breakers } = rankNow(all, { ...input, merchantPriceFen }, breaker, now);
      const passed: SkippedSupplier[] = [...skipped];
      for (const candidate of candidates) {
        // The probe is claimed compare-and-set: of orders racing for it, one wins.
        const open = breakers.get(candidate.supplierId) as Breaker;
        if (
          candidate.probe &&
          !(await suppliers.compareAndSetBreaker(candidate.supplierId, open, probing(open, now)))
        ) {
          passed.push({
            supplierId: candidate.supplierId,
            reason: 'circuit breaker open: another order is probing it',
            lasting: false,
          });
          continue;
        }
        return chosen(input, candidate, passed);
      }
      return {
        kind: passed.every((s) => s.lasting) ? 'none-left' : 'none-now',
        skipped: passed,
      } satisfies RouteDecision;
    },
  } satisfies RoutingActivities;
}
