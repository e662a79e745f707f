import type { Client } from '@temporalio/client';
import type { JobLeaseRepository } from '../db/job-lease-repository.ts';
import type { OrderRepository, OrderRow } from '../db/order-repository.ts';
import type { FirstRouter } from '../suppliers/first-route.ts';
import type { Logger } from '../util/logger.ts';
import { startOrderWorkflow } from './start-order-workflow.ts';
import { isGrpcTimeoutOrUnavailable } from './temporal-errors.ts';

/**
 * How long a start waits for Temporal: the client retries an unreachable
 * server until then. A fast-path start that runs out leaves the order to the
 * drain; a drain that runs out stops, and the next one (a second later) tries
 * again, so orders start within seconds of Temporal's return, not after a
 * long client backoff.
 */
const START_DEADLINE_MS = 2_000;

/** Starts in flight at once in a drain: the backlog an outage leaves starts within seconds of Temporal's return, not one round trip at a time. */
const DRAIN_CONCURRENCY = 25;

/** How long after a start found Temporal unreachable new orders are left to the drain before one probes on the fast path again. */
const AWAY_PROBE_MS = 1_000;

export interface OrderDispatcher {
  /**
   * Starts the accepted order's workflow now, in the background: nobody
   * waits on Temporal; a failed start is left to the drain. For a second
   * after a start found Temporal unreachable, new orders go straight to the drain.
   */
  dispatchSoon(order: OrderRow): void;
  /**
   * Starts the workflows of orders accepted at least `graceMs` ago that are
   * not known to have started, oldest first, several at once; stops after
   * the first failure (Temporal is away: the next drain tries again).
   * Returns how many it started.
   */
  drain(options: { graceMs: number; batchSize: number }): Promise<number>;
  /** Settles once no background start is in flight: before the Temporal connection closes. */
  idle(): Promise<void>;
}

export interface OrderDispatcherDeps {
  orders: Pick<OrderRepository, 'markWorkflowStarted' | 'listNotStarted'>;
  temporal: Client;
  logger: Logger;
  slaSeconds: number;
  /** Chooses the first attempt's supplier for the workflow's input; without it (or when it answers nothing) the workflow routes. */
  firstRoute?: FirstRouter | undefined;
}

/**
 * "Insert the order, then start its workflow" as an outbox: the order row is
 * the durable record (`workflow_started_at` NULL until a start succeeded),
 * started right after the commit on the fast path and, after a crash or while
 * Temporal is away, by the drain. Every start is idempotent (the workflow id
 * is the order's), so the two may overlap.
 */
export function createOrderDispatcher({
  orders,
  temporal,
  logger,
  slaSeconds,
  firstRoute,
}: OrderDispatcherDeps): OrderDispatcher {
  /** When a start last found Temporal unreachable or too slow; cleared by a start that succeeds. */
  let unreachableAt: number | undefined;
  async function start(order: OrderRow): Promise<void> {
    const route = await firstRoute?.(order);
    try {
      await temporal.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        startOrderWorkflow(temporal, order, slaSeconds, route),
      );
    } catch (error) {
      if (isGrpcTimeoutOrUnavailable(error)) unreachableAt = Date.now();
      throw error;
    }
    unreachableAt = undefined;
    await orders.markWorkflowStarted(order.id);
  }
  // For a second after Temporal was unreachable, new orders go to the drain; then one tries again on the fast path.
  const looksAway = () => unreachableAt !== undefined && Date.now() - unreachableAt < AWAY_PROBE_MS;

  const inFlight = new Set<Promise<void>>();

  return {
    dispatchSoon(order) {
      // Each background start would wait out its deadline against a server that is away; the drain finds the order.
      if (looksAway()) return;
      const started = start(order)
        .catch((error: unknown) =>
          logger.warn({ err: error, orderId: order.id }, 'workflow start failed; the dispatcher retries'),
        )
        .finally(() => inFlight.delete(started));
      inFlight.add(started);
    },

    async idle() {
      await Promise.all(inFlight);
    },

    async drain({ graceMs, batchSize }) {
      let started = 0;
      for (;;) {
        const page = await orders.listNotStarted({ acceptedBy: new Date(Date.now() - graceMs), limit: batchSize });
        for (let from = 0; from < page.length; from += DRAIN_CONCURRENCY) {
          const results = await Promise.allSettled(
            page.slice(from, from + DRAIN_CONCURRENCY).map((order) => start(order)),
          );
          started += results.filter((result) => result.status === 'fulfilled').length;
          const failed = results.find((result) => result.status === 'rejected');
          if (failed) throw failed.reason;
        }
        if (page.length < batchSize) return started;
      }
    },
  };
}

/** The lease name shared by every API replica: the drain runs once per interval per deployment, not once per replica. */
export const DISPATCH_JOB = 'order-dispatch';

/**
 * Every replica ticks; only the one that claims the due run in PostgreSQL
 * drains (a lease row, not a Temporal Schedule: this job covers the time
 * Temporal is away, so it must not depend on Temporal to run).
 */
export function scheduleDispatchDrains(
  {
    dispatcher,
    leases,
    instanceId,
    logger,
  }: { dispatcher: OrderDispatcher; leases: JobLeaseRepository; instanceId: string; logger: Logger },
  options: { everyMs: number; graceMs: number; batchSize: number },
): () => Promise<void> {
  let draining: Promise<void> | undefined;
  const drain = async () => {
    // The lease runs out a little before the next tick, so that timer jitter cannot make a replica miss its turn.
    if (!(await leases.claim(DISPATCH_JOB, options.everyMs * 0.9, instanceId))) return;
    const started = await dispatcher.drain(options);
    if (started > 0) logger.info({ started }, 'workflows of accepted orders started by the dispatcher');
  };
  const timer = setInterval(() => {
    if (draining) return;
    draining = drain()
      .catch((err: unknown) => logger.warn({ err }, 'dispatch drain stopped; the next one retries'))
      .finally(() => (draining = undefined));
  }, options.everyMs);
  /** Stops ticking and waits for a drain under way, so nothing calls Temporal or the database after. */
  return async () => {
    clearInterval(timer);
    await draining;
  };
}
