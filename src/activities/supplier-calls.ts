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
import type { SubmitResult, SupplierActivities, SupplierAnswer, SupplierAttemptInput } from '../shared/suppliers.ts';
import type { Clock } from '../suppliers/clock.ts';
import type { SupplierDirectory, SupplierEndpoint } from '../suppliers/directory.ts';

export interface SupplierCallDeps {
  directory: SupplierDirectory;
  suppliers: Pick<
    SupplierRepository,
    'readBreaker' | 'compareAndSetBreaker' | 'acquireCallSlot' | 'releaseCallSlot' | 'finishCall'
  >;
  orders: Pick<OrderRepository, 'appendEvent' | 'recordAcceptance'>;
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
 * every worker), then records the call: two statements, one before and one
 * after. A failure to record is logged, never thrown: the call's answer stands.
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
  const lease = await holdCallSlot(deps, endpoint, supplierId, sendBy, sendBy + endpoint.timeoutMs);
  let sent = false;
  let fault = false;
  try {
    if (lease.waitMs > 0) await sleep(lease.waitMs);
    // Checked again at the last moment: a worker frozen while it waited must not send after its moment.
    if (Date.now() > sendBy)
      throw new SupplierBusyError(`supplier ${supplierId}: this try's moment to send has passed; nothing was sent`);
    sent = true;
    const sentAt = performance.now();
    try {
      return await request(endpoint.client, new Date(notAfter).toISOString());
    } catch (error) {
      fault = error instanceof CarrierUnavailableError;
      throw error;
    } finally {
      const tags = { supplier: supplierId, kind, outcome: fault ? 'fault' : 'answer' };
      callLatency().record(Math.round(performance.now() - sentAt), tags);
    }
  } finally {
    if (sent) await finish(deps, lease, fault ? 'fault' : kind === 'recharge' ? 'answer' : 'status-answer');
    else await releaseCallSlot(deps, lease);
  }
}

const callLatency = () =>
  Context.current().metricMeter.createHistogram(
    'supplier_call_latency',
    'int',
    'ms',
    'Supplier calls by kind and outcome (a fault: timeout, connection error, 5xx)',
  );

/**
 * Waits for one of the supplier's concurrency slots, held until `heldUntil`
 * at the latest, and its pacing slot with it (calls from every worker keep
 * `1 / rate` apart); busy if either comes too late for this try to send.
 */
async function holdCallSlot(
  { suppliers }: SupplierCallDeps,
  { rateLimitPerSecond }: SupplierEndpoint,
  supplierId: string,
  sendBy: number,
  heldUntil: number,
): Promise<CallLease & { waitMs: number }> {
  for (;;) {
    const lease = await suppliers.acquireCallSlot(
      supplierId,
      Math.max(1, heldUntil - Date.now()),
      callSpacingSeconds(rateLimitPerSecond),
    );
    if (lease && Date.now() + lease.waitMs > sendBy) {
      await releaseCallSlot({ suppliers }, lease);
      throw new SupplierBusyError(
        `supplier ${supplierId}'s rate limit has no slot before this try's deadline; nothing was sent`,
      );
    }
    if (lease) return lease;
    if (Date.now() + SLOT_POLL_MS > sendBy)
      throw new SupplierBusyError(
        `every call slot of supplier ${supplierId} stayed busy until this try had to send; nothing was sent`,
      );
    await sleep(SLOT_POLL_MS);
  }
}

/** Frees the slot of a call that sent nothing; a failure is logged (the slot's lease runs out by itself), never thrown over the call's answer. */
async function releaseCallSlot({ suppliers }: Pick<SupplierCallDeps, 'suppliers'>, lease: CallLease): Promise<void> {
  try {
    await suppliers.releaseCallSlot(lease);
  } catch (error) {
    Context.current().log.warn('Releasing a supplier call slot failed', {
      supplierId: lease.supplierId,
      error: (error as Error).message,
    });
  }
}

/** How many times a breaker change is tried again when another worker changed the breaker first. */
const BREAKER_RACES = 3;

/**
 * Frees the call's slot, counts the call and moves the supplier's breaker as
 * the breaker's rules say (src/suppliers/breaker.ts), compare-and-set: a
 * worker that lost a race decides again on what the winner stored. A failure
 * to record is logged, never thrown: the call's answer stands (the slot's
 * lease runs out by itself).
 */
async function finish(
  { suppliers, breaker, clock }: SupplierCallDeps,
  lease: CallLease,
  outcome: CallOutcome,
): Promise<void> {
  const { log, metricMeter } = Context.current();
  const { supplierId } = lease;
  try {
    const at = await clock();
    let current = await suppliers.finishCall(lease, outcome === 'fault', at);
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
 * Writes the supplier's acceptance to the order view, PENDING → PROCESSING
 * with its event (the workflow's own rule: an order escalated meanwhile stays
 * with its operator), so the workflow need not (a local activity and a
 * marker fewer per order); not if the supplier has already reported this
 * attempt FAILED (see recordAcceptance). Whether it moved the order; when
 * not, or when the write failed (logged), the workflow writes as before.
 */
async function recordAcceptance(
  orders: SupplierCallDeps['orders'],
  { orderId, round, attempt, supplierId, requestId, probe }: SupplierAttemptInput,
  carrierOrderId: string,
  tries: number,
): Promise<boolean> {
  try {
    return await orders.recordAcceptance({
      orderId,
      requestId,
      supplierId,
      carrierOrderId,
      event: {
        key: `accepted:${round}:${attempt}`,
        type: OrderEvent.CARRIER_ACCEPTED,
        detail: { round, attempt, supplierId, requestId, ...(probe && { probe }), carrierOrderId, tries },
      },
    });
  } catch (error) {
    Context.current().log.warn('Recording a supplier acceptance failed; the workflow records it', {
      orderId,
      error: (error as Error).message,
    });
    return false;
  }
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
    async submitToSupplier(input): Promise<SubmitResult> {
      const tries = Context.current().info.attempt;
      try {
        const answer = await attempt(deps, input, tries);
        if (answer.outcome === 'declined') return { ...answer, tries };
        return { ...answer, tries, recorded: await recordAcceptance(orders, input, answer.carrierOrderId, tries) };
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
