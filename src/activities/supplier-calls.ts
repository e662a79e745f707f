import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { CarrierUnavailableError, type CarrierClient } from '../carrier/client.ts';
import type { OrderRepository } from '../db/order-repository.ts';
import type { BreakerSettings, CallLease, CallOutcome, SupplierRepository } from '../db/supplier-repository.ts';
import type { CarrierStatus } from '../shared/carrier-protocol.ts';
import { OrderEvent } from '../shared/order-events.ts';
import type { SupplierActivities, SupplierAnswer, SupplierAttemptInput } from '../shared/suppliers.ts';
import type { Clock } from '../suppliers/clock.ts';
import type { SupplierDirectory } from '../suppliers/directory.ts';

export interface SupplierCallDeps {
  directory: SupplierDirectory;
  suppliers: Pick<SupplierRepository, 'recordCall' | 'reserveCallSlot' | 'acquireConcurrencySlot' | 'releaseConcurrencySlot'>;
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
/**
 * Time kept between the try's deadline and both the latest send (beyond the
 * HTTP timeout) and the request's `notAfter`: the server's deadline counts
 * from its own start of the try, a little before this worker's.
 */
const DEADLINE_MARGIN_MS = 2_000;

/**
 * Calls the supplier within its concurrency and rate limits (both shared by
 * every worker), then records the call. A call is sent only while its
 * answer can still arrive before this try's start-to-close deadline: a
 * request that went out after the server had given the try up could credit
 * a phone the order has moved on from. A failure to record is logged, never
 * thrown: the call's answer stands.
 */
async function call<T>(deps: SupplierCallDeps, supplierId: string, kind: CallKind, request: (client: CarrierClient, notAfter: string) => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  const endpoint = await deps.directory.get(supplierId);
  const deadline = startedAt + Context.current().info.startToCloseTimeoutMs;
  const sendBy = deadline - endpoint.timeoutMs - DEADLINE_MARGIN_MS;
  const lease = await holdConcurrencySlot(deps, supplierId, sendBy, deadline);
  try {
    await waitForPacing(deps, supplierId, endpoint.rateLimitPerSecond, sendBy);
    // Checked again at the last moment: a worker frozen while it waited must not send after its deadline.
    if (Date.now() > sendBy) throw new SupplierBusyError(`supplier ${supplierId}: this try's moment to send has passed; nothing was sent`);
    let fault = false;
    try {
      return await request(endpoint.client, new Date(deadline - DEADLINE_MARGIN_MS).toISOString());
    } catch (error) {
      fault = error instanceof CarrierUnavailableError;
      throw error;
    } finally {
      await record(deps, supplierId, fault ? 'fault' : kind === 'recharge' ? 'answer' : 'status-answer');
    }
  } finally {
    await releaseConcurrencySlot(deps, lease);
  }
}

/** Waits for one of the supplier's concurrency slots, held until this try's deadline at the latest. */
async function holdConcurrencySlot({ suppliers }: SupplierCallDeps, supplierId: string, sendBy: number, deadline: number): Promise<CallLease> {
  for (;;) {
    const lease = await suppliers.acquireConcurrencySlot(supplierId, deadline - Date.now());
    if (lease) return lease;
    if (Date.now() + SLOT_POLL_MS > sendBy) throw new SupplierBusyError(`every call slot of supplier ${supplierId} stayed busy until this try had to send; nothing was sent`);
    await sleep(SLOT_POLL_MS);
  }
}

/** Frees the slot; a failure is logged (the slot's lease runs out by itself), never thrown over the call's answer. */
async function releaseConcurrencySlot({ suppliers }: SupplierCallDeps, lease: CallLease): Promise<void> {
  try {
    await suppliers.releaseConcurrencySlot(lease);
  } catch (error) {
    Context.current().log.warn('Releasing a supplier call slot failed', { supplierId: lease.supplierId, error: (error as Error).message });
  }
}

/** Waits for the supplier's next free pacing slot: calls from every worker keep `1 / rate` apart. */
async function waitForPacing({ suppliers }: SupplierCallDeps, supplierId: string, rateLimitPerSecond: number, sendBy: number): Promise<void> {
  const waitMs = await suppliers.reserveCallSlot(supplierId, rateLimitPerSecond);
  if (Date.now() + waitMs > sendBy) throw new SupplierBusyError(`supplier ${supplierId}'s rate limit has no slot before this try's deadline; nothing was sent`);
  if (waitMs > 0) await sleep(waitMs);
}

async function record({ suppliers, breaker, clock }: SupplierCallDeps, supplierId: string, outcome: CallOutcome): Promise<void> {
  const { log, metricMeter } = Context.current();
  try {
    const transition = await suppliers.recordCall(supplierId, outcome, breaker, await clock());
    if (!transition) return;
    log[transition.to === 'CLOSED' ? 'info' : 'warn'](`Supplier circuit breaker ${transition.from} → ${transition.to}`, { ...transition });
    metricMeter.createCounter('supplier_breaker_transitions', 'transitions', 'Circuit breaker changes per supplier').add(1, { supplier: supplierId, to: transition.to });
  } catch (error) {
    log.error('Recording a supplier call failed', { supplierId, outcome, error: (error as Error).message });
  }
}

/** A first try sends the request; a later one asks the status first and never sends again (the order fails over instead). */
async function attempt(deps: SupplierCallDeps, input: SupplierAttemptInput, tries: number): Promise<SupplierAnswer> {
  const { supplierId, requestId } = input;
  if (tries > 1) {
    const known = await call(deps, supplierId, 'status', (client) => client.status(requestId));
    if (known.state === 'NOT_FOUND') return { outcome: 'declined', reason: 'the supplier never received the request', neverReceived: true };
    if (known.state === 'FAILED') return { outcome: 'declined', reason: known.reason };
    return { outcome: 'accepted', carrierOrderId: known.carrierOrderId };
  }
  const { callbackUrl } = await deps.directory.get(supplierId);
  // The supplier takes the request only until notAfter, before this try's deadline: once the next try asks
  // its status and hears "never received", no copy of this request held up on its way can be taken.
  const answer = await call(deps, supplierId, 'recharge', (client, notAfter) =>
    client.submit({ requestId, phone: input.phone, carrier: input.carrier, amountYuan: input.amountYuan, callbackUrl, notAfter }),
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
          detail: { round: input.round, attempt: input.attempt, supplierId: input.supplierId, try: tries, error: (error as Error).message },
        });
        throw error;
      }
    },

    async querySupplierStatus({ orderId, supplierId, requestId, eventKey, purpose }): Promise<CarrierStatus> {
      const answer = await call(deps, supplierId, 'status', (client) => client.status(requestId));
      await orders.appendEvent(orderId, { key: eventKey, type: OrderEvent.CARRIER_STATUS_QUERIED, detail: { purpose, supplierId, requestId, ...answer } });
      return answer;
    },
  } satisfies SupplierActivities;
}
