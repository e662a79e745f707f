import { setTimeout as sleep } from 'node:timers/promises';
import { FINAL_STATUSES } from '../src/shared/order-status.ts';
import type { CheckRow, OrderRow } from './checks.ts';
import type { Delivery, MerchantEndpoint } from './merchant-endpoint.ts';

/** The worker's notification retry policy (src/workflows/activity-stubs.ts): 1 s doubling to 1 h, for 24 h. */
export const NOTIFY_POLICY = { initialMs: 1_000, coefficient: 2, maximumMs: 3_600_000, windowMs: 24 * 3_600_000 };
/** Clock and timer slack allowed when a retry's spacing is compared with the policy. */
const SPACING_SLACK_MS = 100;

const FINAL: readonly string[] = FINAL_STATUSES;

const byOrder = (deliveries: Delivery[]) => {
  const map = new Map<string, Delivery[]>();
  for (const delivery of deliveries) map.set(delivery.orderId, [...(map.get(delivery.orderId) ?? []), delivery]);
  return map;
};

/** Final orders whose merchant has not yet taken a delivery of the final status. */
export const untold = (orders: OrderRow[], deliveries: Delivery[]) => {
  const told = new Set(deliveries.filter((d) => d.answer === 'taken').map((d) => `${d.orderId}:${d.status}`));
  return orders.filter((order) => FINAL.includes(order.status) && !told.has(`${order.id}:${order.status}`));
};

/** Waits until every final order's merchant has taken its result, or `timeoutSeconds`; logs progress. */
export async function waitForDeliveries(
  endpoint: MerchantEndpoint,
  readOrders: () => Promise<OrderRow[] | undefined>,
  timeoutSeconds: number,
  log: (line: string) => void,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    const orders = await readOrders();
    const left = orders ? untold(orders, endpoint.deliveries).length : undefined;
    if (left === 0 || Date.now() - started > timeoutSeconds * 1000) return (Date.now() - started) / 1000;
    log(`waiting for ${left ?? '?'} merchants to take their order's result (${endpoint.open()} deliveries hanging)`);
    await sleep(5_000);
  }
}

/** The least spacing the policy allows after the n-th try (1-based). */
const policyIntervalMs = (n: number) =>
  Math.min(NOTIFY_POLICY.initialMs * NOTIFY_POLICY.coefficient ** (n - 1), NOTIFY_POLICY.maximumMs);

/** When the sender made the delivery: its signed timestamp, else its arrival. */
const sentAt = (delivery: Delivery) => delivery.sentAt ?? delivery.receivedAt;

/**
 * Retries outside the policy: sooner than its interval (reported: an
 * activity's try may run twice, after a Temporal server restart or in a
 * frozen worker, as Temporal runs activities at least once), or later than
 * 24 h after the order became final (a violation). Deliveries are ordered by when the sender
 * made them (the signed timestamp): a try held up in a frozen worker may
 * arrive after the tries that followed it, but it was made before them. The
 * n-th delivery so ordered was at least the n-th try (a try sends at most
 * one; one that failed before sending sends none), so the next came no
 * sooner than the policy's n-th interval.
 */
function retryViolations(orders: OrderRow[], perOrder: Map<string, Delivery[]>) {
  let early = 0;
  let late = 0;
  for (const order of orders) {
    const list = [...(perOrder.get(order.id) ?? [])].sort((a, b) => sentAt(a) - sentAt(b));
    list.forEach((delivery, i) => {
      const next = list[i + 1];
      if (next && sentAt(next) - sentAt(delivery) < policyIntervalMs(i + 1) - SPACING_SLACK_MS) {
        if (early++ < 5)
          console.log(
            `   retry sooner than the policy: order ${order.id}, deliveries ${list.map((d) => `${new Date(sentAt(d)).toISOString()}→${new Date(d.receivedAt).toISOString()} ${d.answer}`).join(', ')}`,
          );
      }
      if (order.finishedAt && delivery.receivedAt - order.finishedAt.getTime() > NOTIFY_POLICY.windowMs) late++;
    });
  }
  return { early, late };
}

/** A merchant's replay window: a delivery signed longer ago (or ahead) than this would be refused. */
const REPLAY_WINDOW_MS = 5 * 60_000;

/**
 * Delivery ids and timestamps (once notifications carry them): each
 * delivery has an id of its own, a signed time a merchant's 5-minute replay
 * window accepts, and headers that mirror the body.
 */
function deliveryIdRows(deliveries: Delivery[]): CheckRow[] {
  const row = (check: string, value: number): CheckRow => ({ check, value, expected: '0', ok: value === 0 });
  const headerRow = row(
    'deliveries whose X-Delivery-Id or X-Timestamp differs from the body',
    deliveries.filter((d) => d.headersDiffer).length,
  );
  const withId = deliveries.filter((d) => d.deliveryId !== undefined);
  if (withId.length === 0)
    return [{ check: 'delivery ids', value: 'none sent', expected: '(reported)', ok: true }, headerRow];
  const distinct = new Set(withId.map((d) => d.deliveryId)).size;
  const stale = deliveries.filter(
    (d) => d.sentAt === undefined || !(Math.abs(d.receivedAt - d.sentAt) <= REPLAY_WINDOW_MS),
  ).length;
  return [
    row('deliveries without a delivery id', deliveries.length - withId.length),
    row('deliveries whose delivery id came before (each delivery has its own)', withId.length - distinct),
    row('deliveries whose signed timestamp is missing or over 5 min from their arrival', stale),
    headerRow,
  ];
}

/** Every merchant told each order's final result, signed, within the retry policy. */
export function merchantChecks(orders: OrderRow[], deliveries: Delivery[], waitedSeconds: number): CheckRow[] {
  const perOrder = byOrder(deliveries);
  const ids = new Map(orders.map((order) => [order.id, order]));
  const final = orders.filter((order) => FINAL.includes(order.status));
  const lastDiffers = final.filter((order) => perOrder.get(order.id)?.at(-1)?.status !== order.status).length;
  const strangers = deliveries.filter((d) => ids.get(d.orderId)?.merchantId !== d.merchantId).length;
  const badSignatures = deliveries.filter((d) => !d.signatureValid).length;
  const { early, late } = retryViolations(orders, perOrder);
  const answers: Record<string, number> = {};
  for (const d of deliveries) answers[d.answer] = (answers[d.answer] ?? 0) + 1;
  const row = (check: string, value: number): CheckRow => ({ check, value, expected: '0', ok: value === 0 });
  return [
    row(
      `final orders whose merchant did not take the final result (${waitedSeconds.toFixed(0)} s waited after settling)`,
      untold(orders, deliveries).length,
    ),
    row('final orders whose last delivery received is not the final status', lastDiffers),
    row('deliveries whose signature does not verify with the merchant’s callback secret', badSignatures),
    row('deliveries of an order unknown to, or not of, the merchant they were sent to', strangers),
    {
      check:
        'deliveries sooner after the one before than the policy’s interval (1 s doubling to 1 h), by signed send time: a try run twice (an activity re-run after the Temporal server restart, or a frozen worker’s late try)',
      value: early,
      expected: '(reported)',
      ok: true,
    },
    row('deliveries later than 24 h after the order became final', late),
    ...deliveryIdRows(deliveries),
    {
      check: 'deliveries by the merchant’s answer; most deliveries of one order',
      value: `${Object.entries(answers)
        .map(([answer, n]) => `${answer} ${n}`)
        .join(', ')}; ${Math.max(0, ...[...perOrder.values()].map((list) => list.length))}`,
      expected: '(reported)',
      ok: true,
    },
  ];
}
