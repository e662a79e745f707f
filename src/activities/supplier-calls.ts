import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { CarrierUnavailableError, type CarrierClient } from '../carrier/client.ts';
import type { OrderRepository } from '../db/order-repository.ts';
import type { BreakerSettings, CallOutcome, SupplierRepository } from '../db/supplier-repository.ts';
import type { CarrierStatus } from '../shared/carrier-protocol.ts';
import { OrderEvent } from '../shared/order-events.ts';
import type { SupplierActivities, SupplierAnswer, SupplierAttemptInput } from '../shared/suppliers.ts';
import type { Clock } from '../suppliers/clock.ts';
import type { SupplierDirectory } from '../suppliers/directory.ts';

export interface SupplierCallDeps {
  directory: SupplierDirectory;
  suppliers: Pick<SupplierRepository, 'recordCall' | 'reserveCallSlot'>;
  orders: Pick<OrderRepository, 'appendEvent'>;
  breaker: BreakerSettings;
  clock: Clock;
}

type CallKind = 'recharge' | 'status';

/**
 * Calls the supplier, paced to its rate limit, then records the call. A
 * failure to record is logged, never thrown: the call's answer stands.
 */
async function call<T>(deps: SupplierCallDeps, supplierId: string, kind: CallKind, request: (client: CarrierClient) => Promise<T>): Promise<T> {
  const { client, rateLimitPerSecond } = await deps.directory.get(supplierId);
  await waitForSlot(deps, supplierId, rateLimitPerSecond);
  let fault = false;
  try {
    return await request(client);
  } catch (error) {
    fault = error instanceof CarrierUnavailableError;
    throw error;
  } finally {
    await record(deps, supplierId, fault ? 'fault' : kind === 'recharge' ? 'answer' : 'status-answer');
  }
}

/** Waits for the supplier's next free slot: calls from every worker keep `1 / rate` apart. */
async function waitForSlot({ suppliers }: SupplierCallDeps, supplierId: string, rateLimitPerSecond: number): Promise<void> {
  const waitMs = await suppliers.reserveCallSlot(supplierId, rateLimitPerSecond);
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
  const answer = await call(deps, supplierId, 'recharge', (client) =>
    client.submit({ requestId, phone: input.phone, carrier: input.carrier, amountYuan: input.amountYuan, callbackUrl }),
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
