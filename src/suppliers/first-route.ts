import type { OrderRow } from '../db/order-repository.ts';
import type { SupplierRow } from '../db/supplier-repository.ts';
import type { Carrier } from '../shared/carriers.ts';
import type { Speed } from '../shared/speeds.ts';
import { chosen, type ChosenRoute } from '../shared/suppliers.ts';
import type { BreakerSettings } from './breaker.ts';
import { rankNow } from './routing.ts';
import type { SupplierSnapshot } from './supplier-snapshot.ts';

export type FirstRouter = (order: OrderRow) => Promise<ChosenRoute | undefined>;

/**
 * The supplier of a new order's first attempt, chosen where its workflow is
 * started and passed in the workflow's input, so the workflow sends at once
 * (no routing local activity, no marker, three database reads fewer). It
 * ranks as the routing activity does, from the suppliers as read at most a
 * second ago (one read per second, not per order): an admin's change or a
 * breaker that just opened counts within that second. Only a plain choice is
 * made here: when the best candidate is a breaker's probe (claiming it is a
 * write) or no supplier can take the order now, it answers nothing and the
 * workflow routes as it does every later attempt. A failed read, or anything
 * else that fails, answers nothing too.
 */
export function createFirstRouter({
  suppliers,
  breaker,
}: {
  suppliers: SupplierSnapshot;
  breaker: BreakerSettings;
}): FirstRouter {
  // Only an optimisation: whatever goes wrong (a failed read, a rate it cannot parse), the workflow routes itself.
  return async (order) => {
    try {
      return chooseFirst(await suppliers(), order, breaker);
    } catch {
      return undefined;
    }
  };
}

/** The best candidate for attempt 1, unless it is a probe or there is none. */
function chooseFirst(all: SupplierRow[], order: OrderRow, breaker: BreakerSettings): ChosenRoute | undefined {
  if (order.costFen === null) return undefined;
  const input = {
    orderId: order.id,
    carrier: order.carrier as Carrier,
    amountYuan: order.amountYuan,
    province: order.province ?? undefined,
    speed: order.speed as Speed,
    attempt: 1,
    merchantPriceFen: Number(order.costFen),
    declined: [],
    resting: [],
  };
  const { candidates, skipped } = rankNow(all, input, breaker, new Date());
  const best = candidates[0];
  return best && !best.probe ? chosen(input, best, skipped) : undefined;
}
