import { Context } from '@temporalio/activity';
import type { CarrierClient } from '../carrier/client.ts';
import type { OrderRepository } from '../db/order-repository.ts';
import type { CarrierSubmission } from '../shared/carrier-protocol.ts';
import type { CarrierActivities, SubmitRechargeInput } from '../shared/order-activities.ts';
import { OrderEvent } from '../shared/order-events.ts';

export interface CarrierActivityDeps {
  carrier: CarrierClient;
  orders: OrderRepository;
  /** Where the carrier must POST its result: our API's callback endpoint. */
  callbackUrl: string;
}

export function createCarrierActivities({ carrier, orders, callbackUrl }: CarrierActivityDeps) {
  return {
    /**
     * Asks the carrier to top up the phone, with the order id as the
     * carrier's request id. A fault throws (Temporal retries with backoff)
     * and is recorded in the order's history; a refusal is returned, since
     * retrying it cannot help. A retry first asks the carrier whether an
     * earlier attempt got through and re-sends only if the carrier says it
     * never got it (with the same request id, which the carrier
     * de-duplicates). The answer goes back to the workflow, which alone
     * changes the order's status.
     */
    async submitRecharge(input: SubmitRechargeInput) {
      const { attempt } = Context.current().info;
      try {
        return { ...(await submitUnlessReceived(attempt, input)), attempt };
      } catch (error) {
        await orders.appendEvent(input.orderId, {
          key: `attempt:${input.round}:${attempt}`,
          type: OrderEvent.CARRIER_ATTEMPT_FAILED,
          detail: { round: input.round, attempt, error: (error as Error).message },
        });
        throw error;
      }
    },

    async queryCarrierStatus(input) {
      const answer = await carrier.status(input.orderId);
      await orders.appendEvent(input.orderId, { key: input.eventKey, type: OrderEvent.CARRIER_STATUS_QUERIED, detail: { purpose: input.purpose, ...answer } });
      return answer;
    },
  } satisfies CarrierActivities;

  async function submitUnlessReceived(attempt: number, input: SubmitRechargeInput): Promise<CarrierSubmission> {
    if (attempt > 1) {
      const known = await carrier.status(input.orderId);
      if (known.state === 'FAILED') return { outcome: 'refused', reason: known.reason };
      if (known.state !== 'NOT_FOUND') return { outcome: 'accepted', carrierOrderId: known.carrierOrderId };
    }
    return carrier.submit({
      requestId: input.orderId,
      phone: input.phone,
      carrier: input.carrier,
      amountYuan: input.amountYuan,
      callbackUrl,
    });
  }
}
