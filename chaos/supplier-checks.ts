import { chargesOf, readRecords, type CarrierCharge } from '../src/carrier-sim/records.ts';
import { atMost, exactly, info, type CheckRow, type OrderRow } from './checks.ts';
import type { Cluster } from './cluster.ts';

type SupplierCharge = CarrierCharge & { supplierId: string };

/**
 * Every request a simulated supplier took, from its books on disk (what a
 * real supplier's records say, whatever its process went through); and how
 * many requests its running process answers for differently (it must answer
 * from those same books after a restart).
 */
async function booksOfEverySupplier(cluster: Cluster): Promise<{ taken: SupplierCharge[]; differing: number }> {
  let differing = 0;
  const lists = await Promise.all(
    cluster.suppliers.map(async ({ id, url, dataFile }) => {
      const books = chargesOf(readRecords(dataFile).orders.values());
      const live = (await (await fetch(`${url}/_sim/charges`)).json()) as CarrierCharge[];
      const liveState = new Map(live.map((charge) => [charge.requestId, charge.state]));
      differing += Math.abs(live.length - books.length);
      differing += books.filter(
        (charge) => liveState.has(charge.requestId) && liveState.get(charge.requestId) !== charge.state,
      ).length;
      return books.map((charge) => ({ ...charge, supplierId: id }));
    }),
  );
  return { taken: lists.flat(), differing };
}

/**
 * What the suppliers' own books say: no phone credited twice over both
 * suppliers (failover may put one order at both, a FAILED at one and a
 * SUCCESS at the other, never two SUCCESSes); each final order's outcome is
 * the suppliers'; and how often a supplier de-duplicated a re-sent request.
 */
export async function supplierChecks(
  cluster: Cluster,
  orders: OrderRow[],
): Promise<{ rows: CheckRow[]; repeatedRequests: number }> {
  const { taken, differing } = await booksOfEverySupplier(cluster);
  const byPhone = new Map<string, SupplierCharge[]>();
  for (const charge of taken) byPhone.set(charge.phone, [...(byPhone.get(charge.phone) ?? []), charge]);
  const takenPerOrder = orders.map((order) => byPhone.get(order.phone) ?? []);
  const creditsPerOrder = takenPerOrder.map((list) => list.filter((charge) => charge.state === 'SUCCESS').length);
  // SUCCEEDED only if a supplier credited the phone; FAILED only if none did.
  const disagreeing = orders.filter(
    (order, i) =>
      (order.status === 'SUCCEEDED' && creditsPerOrder[i] === 0) ||
      (order.status === 'FAILED' && creditsPerOrder[i]! > 0),
  );
  for (const order of disagreeing.slice(0, 10))
    console.log(`   outcome ${order.status} but the suppliers' books differ: order ${order.id}`);
  const atBothSuppliers = takenPerOrder.filter(
    (list) => new Set(list.map((charge) => charge.supplierId)).size > 1,
  ).length;
  const creditedBy = (supplierId: string) =>
    taken.filter((charge) => charge.supplierId === supplierId && charge.state === 'SUCCESS').length;
  const phones = new Set(orders.map((order) => order.phone));
  return {
    rows: [
      atMost(
        'times one phone was credited, over both suppliers (their books on disk, by phone)',
        Math.max(0, ...creditsPerOrder),
        1,
      ),
      exactly('final orders whose outcome differs from the suppliers’ books', disagreeing.length, 0),
      exactly('requests a supplier took for a phone of no order', taken.filter((c) => !phones.has(c.phone)).length, 0),
      exactly('requests a running supplier answers for otherwise than its books on disk', differing, 0),
      info('orders taken by both suppliers (declined by one, then sent to the other)', atBothSuppliers),
      info('phones credited per supplier', cluster.suppliers.map(({ id }) => `${id} ${creditedBy(id)}`).join(', ')),
    ],
    repeatedRequests: taken.reduce((sum, charge) => sum + charge.repeats, 0),
  };
}
