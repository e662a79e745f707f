import { setTimeout as sleep } from 'node:timers/promises';
import seedrandom from 'seedrandom';
import { DENOMINATIONS_YUAN, type Carrier } from '../src/shared/carriers.ts';
import { driveOpenLoop, now } from '../bench/open-loop.ts';
import { phoneFor } from '../bench/systems/system.ts';
import type { Cluster } from './cluster.ts';

/** A merchant of the run, created and funded through the admin API as an operator would. */
export interface RunMerchant {
  id: string;
  /** Its rate per carrier, as the admin set it. */
  rates: Record<Carrier, number>;
  apiKey: string;
  callbackSecret: string;
  openingFen: number;
  /** Where its orders' results are sent: the run's merchant endpoint. */
  notifyUrl: string;
}

export const OPENING_BALANCE_FEN = 100_000_000; // 1,000,000 yuan each: every order is affordable
const RATES: Record<Carrier, number>[] = [
  { CMCC: 1, CUCC: 1, CTCC: 1 },
  { CMCC: 0.985, CUCC: 0.99, CTCC: 1.00175 },
  { CMCC: 1.01, CUCC: 0.995, CTCC: 0.98 },
];

async function adminPost(cluster: Cluster, path: string, body: unknown) {
  const response = await fetch(`${cluster.apiUrls[0]}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${cluster.secrets.adminToken}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
}

/** The run's merchants; `notifyUrlOf` gives each its endpoint for results, which verifies them with its callback secret. */
export async function createMerchants(
  cluster: Cluster,
  notifyUrlOf: (merchantId: string, callbackSecret: string) => string,
): Promise<RunMerchant[]> {
  return Promise.all(
    RATES.map(async (rates, i) => {
      const created = await adminPost(cluster, '/admin/merchants', { name: `chaos merchant ${i + 1}`, rates });
      const id = created.merchantId as string;
      await adminPost(cluster, `/admin/merchants/${id}/top-ups`, {
        amountFen: OPENING_BALANCE_FEN,
        note: 'opening balance',
        requestId: 'opening',
      });
      const callbackSecret = created.callbackSecret as string;
      return {
        id,
        rates,
        apiKey: created.apiKey as string,
        callbackSecret,
        openingFen: OPENING_BALANCE_FEN,
        notifyUrl: notifyUrlOf(id, callbackSecret),
      };
    }),
  );
}

/** One order as the load generator sent it; `orderId` once an API accepted it. */
export interface PlannedOrder {
  index: number;
  merchant: RunMerchant;
  merchantOrderNo: string;
  phone: string;
  amount: number;
  orderId?: string;
  /** Every answer it got, by HTTP status ('network' for no answer), retries included. */
  attempts: string[];
  /** When it was due, and when an API accepted it (ms epoch). */
  dueAt?: number;
  acceptedAt?: number;
}

export function planOrders(count: number, merchants: RunMerchant[], seed: string): PlannedOrder[] {
  const random = seedrandom(`${seed}:orders`);
  return Array.from({ length: count }, (_, index) => ({
    index,
    merchant: merchants[index % merchants.length] as RunMerchant,
    merchantOrderNo: `chaos-${seed}-${index}`,
    phone: phoneFor(index),
    amount: DENOMINATIONS_YUAN[Math.floor(random() * DENOMINATIONS_YUAN.length)] as number,
    attempts: [],
  }));
}

/** How long a merchant keeps re-sending an order it got no answer for (an outage of ours is shorter than this). */
const GIVE_UP_AFTER_MS = 180_000;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Submits one order as a careful merchant does: on no answer or a 5xx it
 * sends the same order again (same merchantOrderNo, so never charged twice),
 * to the other API replica, with growing pauses.
 */
async function submit(cluster: Cluster, order: PlannedOrder): Promise<void> {
  const giveUpAt = Date.now() + GIVE_UP_AFTER_MS;
  for (let attempt = 0; ; attempt++) {
    const apiUrl = cluster.apiUrls[(order.index + attempt) % cluster.apiUrls.length];
    try {
      const response = await fetch(`${apiUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${order.merchant.apiKey}` },
        body: JSON.stringify({
          merchantOrderNo: order.merchantOrderNo,
          phone: order.phone,
          amount: order.amount,
          notifyUrl: order.merchant.notifyUrl,
        }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      order.attempts.push(String(response.status));
      const body = (await response.json().catch(() => ({}))) as { orderId?: string };
      if (response.status === 202 || response.status === 200) {
        order.orderId = body.orderId;
        order.acceptedAt = now();
        return;
      }
      if (response.status < 500) throw new Error(`HTTP ${response.status}`); // a refusal: re-sending would not help
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('HTTP ')) throw error;
      order.attempts.push('network');
    }
    if (Date.now() > giveUpAt) throw new Error(`no answer after ${order.attempts.length} tries`);
    await sleep(Math.min(500 * 2 ** attempt, 5_000));
  }
}

/** Open-loop submission of every planned order at `rate` per second, spread over both API replicas. */
export async function submitOrders(cluster: Cluster, orders: PlannedOrder[], rate: number) {
  return driveOpenLoop({
    rate,
    count: orders.length,
    submit: async (index) => {
      const order = orders[index] as PlannedOrder;
      order.dueAt = now();
      await submit(cluster, order);
    },
  });
}

export interface PollStats {
  /** Answers by HTTP status, 'network' for none. */
  answers: Record<string, number>;
}

/**
 * Merchants polling their orders: `pollers` loops, each reading a random
 * accepted order that it has not yet seen final from a random replica every
 * `intervalMs`, until `stop` is aborted.
 */
export async function pollOrders(
  cluster: Cluster,
  orders: PlannedOrder[],
  { pollers, intervalMs, stop }: { pollers: number; intervalMs: number; stop: AbortSignal },
): Promise<PollStats> {
  const stats: PollStats = { answers: {} };
  const seenFinal = new Set<string>();
  const count = (key: string) => (stats.answers[key] = (stats.answers[key] ?? 0) + 1);
  const loop = async (poller: number) => {
    const random = seedrandom(`poller:${poller}`);
    while (!stop.aborted) {
      const open = orders.filter((order) => order.orderId && !seenFinal.has(order.orderId));
      const order = open[Math.floor(random() * open.length)];
      if (order?.orderId) {
        const apiUrl = cluster.apiUrls[Math.floor(random() * cluster.apiUrls.length)];
        try {
          const response = await fetch(`${apiUrl}/orders/${order.orderId}`, {
            headers: { authorization: `Bearer ${order.merchant.apiKey}` },
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          count(String(response.status));
          const body = (await response.json().catch(() => ({}))) as { status?: string };
          if (body.status === 'SUCCEEDED' || body.status === 'FAILED') seenFinal.add(order.orderId);
        } catch {
          count('network');
        }
      }
      await sleep(intervalMs, undefined, { signal: stop }).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: pollers }, (_, poller) => loop(poller)));
  return stats;
}
