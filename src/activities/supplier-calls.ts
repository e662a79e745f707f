import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { CarrierUnavailableError, type CarrierClient } from '../carrier/client.ts';
import type { OrderRepository } from '../db/order-repository.ts';
import type { CallLease } from '../db/supplier-call-store.ts';
import type { SupplierRepository } from '../db/supplier-repository.ts';
import { afterCall, sameBreaker, type BreakerSettings, type CallOutcome } from '../suppliers/breaker.ts';
import { callSpacingSeconds } from '../suppliers/limits.ts';
import type { CarrierStatus } from '../shared/carrier-protocol.ts';
import { OrderEvent } from '../shared/order-events.ts';
import type { SupplierActivities, SupplierAnswer, SupplierAttemptInput } from '../shared/suppliers.ts';
import type { Clock } from '../suppliers/clock.ts';
import type { SupplierDirectory } from '../suppliers/directory.ts';

export interface SupplierCallDeps {
  directory: SupplierDirectory;
  suppliers: Pick<
    SupplierRepository,
    | 'countCall'
    | 'readBreaker'
    | 'compareAndSetBreaker'
    | 'reserveCallSlot'
    | 'acquireConcurrencySlot'
    | 'releaseConcurrencySlot'
  >;
  orders: Pick<OrderRepository, 'appendEvent'>;
  breaker: BreakerSettings;
  clock: Clock;
}

type CallKind = 'recharge' | 'status';

/** A call that found no free slot of the supplier's limits before it had to be sent: nothing went out. */
export class SupplierBusyError extends Error {
  override name = 'SupplierBusyError';
}

/** How often a call waiting for a concurrency slot looks again. */
const SLOT_POLL_MS = 50;
/** Allowance for the clocks of Temporal's server, this worker and the supplier to differ. */
const CLOCK_MARGIN_MS = 2_000;
/** Time a request needs to reach the supplier once sent. */
const NETWORK_ALLOWANCE_MS = 1_000;

/**
 * Calls the supplier within its concurrency and rate limits (both shared by
 * every worker), then records the call. A failure to record is logged,
 * never thrown: the call's answer stands.
 *
 * A request is sent only while the supplier may still take it: its
 * `notAfter` is this try's start-to-close timeout after the server
 * scheduled the try, less a margin, so before the server can give the try
 * up (its deadline counts from the try's start, which is later). The next
 * try, which asks the supplier's status, therefore comes after every copy of
 * this request is either taken or refused: a worker frozen mid-try, whose
 * poll already held the task, cannot have its request taken after the order
 * heard "never received" and moved on.
 */
async function call<T>(
  deps: SupplierCallDeps,
  supplierId: string,
  kind: CallKind,
  request: (client: CarrierClient, notAfter: string) => Promise<T>,
): Promise<T> {
  const { currentAttemptScheduledTimestampMs, startToCloseTimeoutMs } = Context.current().info;
  const notAfter = currentAttemptScheduledTimestampMs + startToCloseTimeoutMs - CLOCK_MARGIN_MS;
  const sendBy = notAfter - NETWORK_ALLOWANCE_MS;
  const endpoint = await deps.directory.get(supplierId);
  // The slot is held until the answer may still come: sent by sendBy, answered within the HTTP timeout.
  const lease = await holdConcurrencySlot(deps, supplierId, sendBy, sendBy + endpoint.timeoutMs);
  try {
    await waitForPacing(deps, supplierId, endpoint.rateLimitPerSecond, sendBy);
    // Checked again at the last moment: a worker frozen while it waited must not send after its moment.
    if (Date.now() > sendBy)
      throw new SupplierBusyError(`supplier ${supplierId}: this try's moment to send has passed; nothing was sent`);
    let fault = false;
    const sentAt = performance.now();
    try {
      return await request(endpoint.client, new Date(notAfter).toISOString());
    } catch (error) {
      fault = error instanceof CarrierUnavailableError;
      throw error;
    } finally {
      const tags = { supplier: supplierId, kind, outcome: fault ? 'fault' : 'answer' };
      Context.current()
        .metricMeter.createHistogram(
          'supplier_call_latency',
          'int',
          'ms',
          'Supplier calls by kind and outcome (a fault: timeout, connection error, 5xx)',
        )
        .record(Math.round(performance.now() - sentAt), tags);
      await record(deps, supplierId, fault ? 'fault' : kind === 'recharge' ? 'answer' : 'status-answer');
    }
  } finally {
    await releaseConcurrencySlot(deps, lease);
  }
}

/** Waits for one of the supplier's concurrency slots, held until `heldUntil` at the latest. */
async function holdConcurrencySlot(
  { suppliers }: SupplierCallDeps,
  supplierId: string,
  sendBy: number,
  heldUntil: number,
): Promise<CallLease> {
  for (;;) {
    const lease = await suppliers.acquireConcurrencySlot(supplierId, Math.max(1, heldUntil - Date.now()));
    if (lease) return lease;
    if (Date.now() + SLOT_POLL_MS > sendBy)
      throw new SupplierBusyError(
        `every call slot of supplier ${supplierId} stayed busy until this try had to send; nothing was sent`,
      );
    await sleep(SLOT_POLL_MS);
  }
}

/** Frees the slot; a failure is logged (the slot's lease runs out by itself), never thrown over the call's answer. */
async function releaseConcurrencySlot({ suppliers }: SupplierCallDeps, lease: CallLease): Promise<void> {
  try {
    await suppliers.releaseConcurrencySlot(lease);
  } catch (error) {
    Context.current().log.warn('Releasing a supplier call slot failed', {
      supplierId: lease.supplierId,
      error: (error as Error).message,
    });
  }
}

/** Waits for the supplier's next free pacing slot: calls from every worker keep `1 / rate` apart. */
async function waitForPacing(
  { suppliers }: SupplierCallDeps,
  supplierId: string,
  rateLimitPerSecond: number,
  sendBy: number,
): Promise<void> {
  const waitMs = await suppliers.reserveCallSlot(supplierId, callSpacingSeconds(rateLimitPerSecond));
  if (Date.now() + waitMs > sendBy)
    throw new SupplierBusyError(
      `supplier ${supplierId}'s rate limit has no slot before this try's deadline; nothing was sent`,
    );
  if (waitMs > 0) await sleep(waitMs);
}

/** How many times a breaker change is tried again when another worker changed the breaker first. */
const BREAKER_RACES = 3;

/**
 * Counts the call and moves the supplier's breaker as the breaker's rules
 * say (src/suppliers/breaker.ts), compare-and-set: a worker that lost a race
 * decides again on what the winner stored. A failure to record is logged,
 * never thrown: the call's answer stands.
 */
async function record(
  { suppliers, breaker, clock }: SupplierCallDeps,
  supplierId: string,
  outcome: CallOutcome,
): Promise<void> {
  const { log, metricMeter } = Context.current();
  try {
    const at = await clock();
    let current = await suppliers.countCall(supplierId, outcome === 'fault', at);
    for (let race = 0; current && race < BREAKER_RACES; race++) {
      const next = afterCall(current, outcome, breaker, at);
      if (sameBreaker(current, next)) return;
      if (await suppliers.compareAndSetBreaker(supplierId, current, next)) {
        if (next.state === current.state) return;
        const transition = {
          supplierId,
          from: current.state,
          to: next.state,
          consecutiveFaults: next.consecutiveFaults,
        };
        log[next.state === 'CLOSED' ? 'info' : 'warn'](
          `Supplier circuit breaker ${current.state} → ${next.state}`,
          transition,
        );
        metricMeter
          .createCounter('supplier_breaker_transitions', 'transitions', 'Circuit breaker changes per supplier')
          .add(1, { supplier: supplierId, to: next.state });
        return;
      }
      current = await suppliers.readBreaker(supplierId);
    }
  } catch (error) {
    log.error('Recording a supplier call failed', { supplierId, outcome, error: (error as Error).message });
  }
}

/** A first try sends the request; a later one asks the status first and never sends again (the order fails over instead). */
async function attempt(deps: SupplierCallDeps, input: SupplierAttemptInput, tries: number): Promise<SupplierAnswer> {
  const { supplierId, requestId } = input;
  if (tries > 1) {
    const known = await call(deps, supplierId, 'status', (client) => client.status(requestId));
    if (known.state === 'NOT_FOUND')
      return { outcome: 'declined', reason: 'the supplier never received the request', neverReceived: true };
    if (known.state === 'FAILED') return { outcome: 'declined', reason: known.reason };
    return { outcome: 'accepted', carrierOrderId: known.carrierOrderId };
  }
  const { callbackUrl } = await deps.directory.get(supplierId);
  // Taken by the supplier only until notAfter (see call), so "never received" at the next try is the truth.
  const answer = await call(deps, supplierId, 'recharge', (client, notAfter) =>
    client.submit({
      requestId,
      phone: input.phone,
      carrier: input.carrier,
      amountYuan: input.amountYuan,
      callbackUrl,
      notAfter,
    }),
  );
  return answer.outcome === 'accepted' ? answer : { outcome: 'declined', reason: answer.reason };
}

/**
 * The calls to one supplier, run on its own task queue. Every call counts in
 * the supplier's figures and moves its shared breaker: a fault (connection
 * error, timeout, 5xx) counts against it; an answer to a recharge request (a
 * refusal too) closes it. A status answer leaves it as it is: a supplier
 * whose status endpoint answers may still fail every recharge.
 */
export function createSupplierCallActivities(deps: SupplierCallDeps) {
  const { orders } = deps;
  return {
    /**
     * One attempt at the supplier, with the attempt's own request id. A
     * fault throws (Temporal retries with backoff) and is recorded in the
     * order's history; since the request may have arrived, a retry asks the
     * supplier's status and answers from it.
     */
    async submitToSupplier(input) {
      const tries = Context.current().info.attempt;
      try {
        return { ...(await attempt(deps, input, tries)), tries };
      } catch (error) {
        await orders.appendEvent(input.orderId, {
          key: `attempt:${input.round}:${input.attempt}:${tries}`,
          type: OrderEvent.CARRIER_ATTEMPT_FAILED,
          detail: {
            round: input.round,
            attempt: input.attempt,
            supplierId: input.supplierId,
            try: tries,
            error: (error as Error).message,
          },
        });
        throw error;
      }
    },

    async querySupplierStatus({ orderId, supplierId, requestId, eventKey, purpose }): Promise<CarrierStatus> {
      const answer = await call(deps, supplierId, 'status', (client) => client.status(requestId));
      await orders.appendEvent(orderId, {
        key: eventKey,
        type: OrderEvent.CARRIER_STATUS_QUERIED,
        detail: { purpose, supplierId, requestId, ...answer },
      });
      return answer;
    },
  } satisfies SupplierActivities;
}
