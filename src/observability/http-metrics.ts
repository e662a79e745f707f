import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MerchantRepository } from '../db/merchant-repository.ts';
import type { OrderRepository } from '../db/order-repository.ts';
import { OrderStatus } from '../shared/order-status.ts';
import type { BuildInfo } from './readiness.ts';

/** Why a merchant's order or a supplier's callback was refused, from the answer's status. */
const REFUSAL_REASONS: Record<number, string> = {
  400: 'validation',
  401: 'unauthenticated',
  402: 'insufficient_balance',
  403: 'forbidden',
  404: 'unknown_order',
  409: 'conflict',
  413: 'too_large',
  415: 'validation',
  429: 'rate_limited',
};
const reasonOf = (status: number, problem?: string) =>
  // A 422 names the rule the order broke (unknown_segment, product_unavailable, number_blocked, number_limit_exceeded).
  status === 422 && problem !== undefined
    ? problem
    : (REFUSAL_REASONS[status] ?? (status >= 500 ? 'server_error' : `http_${status}`));

/**
 * The API's Prometheus metrics, in a registry of its own: every request by
 * route and status, and what merchants and suppliers care about, counted
 * from the answers (so no route handler has to remember to count).
 */
type OpenWork = ReturnType<typeof openWorkOf>;

/** The open work the gauges read, from the order view. */
export const openWorkOf = (
  orders: Pick<OrderRepository, 'countWithStatus' | 'countNotificationsPending'>,
  merchants: Pick<MerchantRepository, 'countBelowZero' | 'countBelowLowBalance'>,
  supplierBills?: { latestDifferences(): Promise<number> },
) => ({
  escalatedOrders: () => orders.countWithStatus(OrderStatus.ESCALATED),
  notificationsPending: () => orders.countNotificationsPending(),
  merchantsBelowZero: () => merchants.countBelowZero(),
  ...(supplierBills && { supplierBillDifferences: () => supplierBills.latestDifferences() }),
  merchantsBelowLowBalance: () => merchants.countBelowLowBalance(),
});

/** How long a scrape waits for a gauge's count: a database away must not take every other series with it. */
const GAUGE_READ_TIMEOUT_MS = 1_000;

/** The count, or undefined if the database does not give it in time (the gauge then keeps its last value). */
async function readInTime(read: () => Promise<number>): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), GAUGE_READ_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read().catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A gauge read from the database at each scrape; a count not read in time keeps the gauge's last value. */
function databaseGauge(
  registry: Registry,
  { name, help, read }: { name: string; help: string; read: () => Promise<number> },
): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      const count = await readInTime(read);
      if (count !== undefined) this.set(count);
    },
  });
}

/** Gauges read from the order view and the merchants at each scrape (each count an index lookup or a small table's scan). */
function registerOpenWorkGauges(registry: Registry, openWork: OpenWork): void {
  databaseGauge(registry, {
    name: 'merchants_below_zero',
    help: 'Merchants whose balance is below zero: they are using their credit line',
    read: openWork.merchantsBelowZero,
  });
  if (openWork.supplierBillDifferences)
    databaseGauge(registry, {
      name: 'supplier_bill_differences',
      help: "Differences found by each enabled supplier's latest bill reconciliation (0 once a run finds none)",
      read: openWork.supplierBillDifferences,
    });
  databaseGauge(registry, {
    name: 'merchants_below_low_balance',
    help: 'Merchants whose available balance (balance + credit limit) is below their low-balance threshold: they should top up',
    read: openWork.merchantsBelowLowBalance,
  });
  databaseGauge(registry, {
    name: 'orders_escalated_open',
    help: 'Orders waiting for an operator (ESCALATED)',
    read: openWork.escalatedOrders,
  });
  databaseGauge(registry, {
    name: 'merchant_notifications_pending',
    help: 'Final orders whose merchant is still being told the result (the notification backlog)',
    read: openWork.notificationsPending,
  });
}

function registerBuildInfo(registry: Registry, { buildId }: BuildInfo): void {
  const info = new Gauge({
    name: 'recharge_build_info',
    help: 'The build this process runs',
    labelNames: ['build_id'],
    registers: [registry],
  });
  info.set({ build_id: buildId }, 1);
}

/** A request as the metrics count it; `problem`: the code of the problem it was answered with, if any. */
interface AnsweredRequest {
  method: string;
  route: string;
  status: number;
  seconds: number;
  problem?: string | undefined;
}

export function createHttpMetrics({ openWork, build }: { openWork?: OpenWork; build?: BuildInfo } = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'recharge_api_' });
  if (openWork) registerOpenWorkGauges(registry, openWork);
  if (build) registerBuildInfo(registry, build);
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const ordersAccepted = new Counter({
    name: 'orders_accepted_total',
    help: 'Orders accepted (202; a repeat of an accepted order is not counted)',
    registers: [registry],
  });
  const ordersRefused = new Counter({
    name: 'orders_refused_total',
    help: 'Order submissions refused, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const callbacks = new Counter({
    name: 'supplier_callbacks_total',
    help: 'Supplier callbacks, accepted or refused by reason',
    labelNames: ['outcome', 'reason'],
    registers: [registry],
  });

  return {
    registry,
    /** Counts one answered request; `route` is the matched route's pattern (never the raw path: ids would explode the series). */
    observe({ method, route, status, seconds, problem }: AnsweredRequest) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
      if (method === 'POST' && route === '/orders') {
        if (status === 202) ordersAccepted.inc();
        else if (status >= 400) ordersRefused.inc({ reason: reasonOf(status, problem) });
      }
      if (method === 'POST' && route.startsWith('/callbacks/')) {
        callbacks.inc(
          status < 300 ? { outcome: 'accepted', reason: '' } : { outcome: 'refused', reason: reasonOf(status) },
        );
      }
    },
  };
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;
