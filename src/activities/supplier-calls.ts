import { Context } from '@temporalio/activity';
import { CarrierUnavailableError, type CarrierClient } from '../carrier/client.ts';
import type { OrderRepository } from '../db/order-repository.ts';
import type { BreakerSettings, SupplierRepository } from '../db/supplier-repository.ts';
import type { CarrierStatus } from '../shared/carrier-protocol.ts';
import { OrderEvent } from '../shared/order-events.ts';
import type { SupplierActivities, SupplierAnswer, SupplierAttemptInput } from '../shared/suppliers.ts';
import type { SupplierDirectory } from '../suppliers/directory.ts';

export interface SupplierCallDeps {
  directory: SupplierDirectory;
  suppliers: Pick<SupplierRepository, 'recordCall'>;
  orders: Pick<OrderRepository, 'appendEvent'>;
  breaker: BreakerSettings;
}

/**
 * The calls to one supplier, run on its own task queue. Every call counts in
 * the supplier's figures and moves its shared breaker: a fault (connection
 * error, timeout, 5xx) counts against it, any answer (a refusal too) for it.
 */
export function createSupplierCallActivities({ directory, suppliers, orders, breaker }: SupplierCallDeps) {
  /** Calls the supplier, records the call, and logs and counts a breaker transition. */
  async function call<T>(supplierId: string, request: (client: CarrierClient) => Promise<T>): Promise<T> {
    const { client } = await directory.get(supplierId);
    let fault = false;
    try {
      return await request(client);
    } catch (error) {
      fault = error instanceof CarrierUnavailableError;
      throw error;
    } finally {
      const transition = await suppliers.recordCall(supplierId, fault, breaker);
      if (transition) {
        const { log, metricMeter } = Context.current();
        (transition.to === 'CLOSED' ? log.info : log.warn)(`Supplier circuit breaker ${transition.from} → ${transition.to}`, { ...transition });
        metricMeter.createCounter('supplier_breaker_transitions', 'transitions', 'Circuit breaker changes per supplier').add(1, { supplier: supplierId, to: transition.to });
      }
    }
  }

  /** A first try sends the request; a later one asks the status first and never sends again (the order fails over instead). */
  async function attempt(input: SupplierAttemptInput, tries: number): Promise<SupplierAnswer> {
    const { supplierId, requestId } = input;
    if (tries > 1) {
      const known = await call(supplierId, (client) => client.status(requestId));
      if (known.state === 'NOT_FOUND') return { outcome: 'declined', reason: 'the supplier never received the request' };
      if (known.state === 'FAILED') return { outcome: 'declined', reason: known.reason };
      return { outcome: 'accepted', carrierOrderId: known.carrierOrderId };
    }
    const { callbackUrl } = await directory.get(supplierId);
    const answer = await call(supplierId, (client) =>
      client.submit({ requestId, phone: input.phone, carrier: input.carrier, amountYuan: input.amountYuan, callbackUrl }),
    );
    return answer.outcome === 'accepted' ? answer : { outcome: 'declined', reason: answer.reason };
  }

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
        return { ...(await attempt(input, tries)), tries };
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
      const answer = await call(supplierId, (client) => client.status(requestId));
      await orders.appendEvent(orderId, { key: eventKey, type: OrderEvent.CARRIER_STATUS_QUERIED, detail: { purpose, supplierId, requestId, ...answer } });
      return answer;
    },
  } satisfies SupplierActivities;
}
