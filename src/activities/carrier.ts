import { Context } from '@temporalio/activity';
import type { CarrierClient } from '../carrier/client.ts';
import type { OrderRepository } from '../db/order-repository.ts';
import type { CarrierStatus, CarrierSubmission } from '../shared/carrier-protocol.ts';
import type { Carrier } from '../shared/carriers.ts';
import { OrderStatus } from '../shared/order-status.ts';

export interface SubmitRechargeInput {
  orderId: string;
  phone: string;
  carrier: Carrier;
  amountYuan: number;
  /** 1 for the first submission, +1 for each operator retry; keys the history events. */
  round: number;
}

export interface QueryCarrierStatusInput {
  orderId: string;
  /** Workflow-chosen key, so a retried activity records the query once. */
  eventKey: string;
  purpose: 'sla-deadline' | 'operator-retry';
}

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
     * carrier's request id. A fault throws (Temporal retries with backoff);
     * a refusal is returned, since retrying it cannot help. A retry first
     * asks the carrier whether an earlier attempt got through and re-sends
     * only if the carrier says it never got it (with the same request id,
     * which the carrier de-duplicates).
     */
    async submitRecharge(input: SubmitRechargeInput): Promise<CarrierSubmission & { attempt: number }> {
      const { attempt } = Context.current().info;
      const eventKey = `attempt:${input.round}:${attempt}`;
      let answer: CarrierSubmission;
      try {
        answer = await submitUnlessReceived(attempt, input);
      } catch (error) {
        await orders.appendEvent(input.orderId, {
          key: eventKey,
          type: 'carrier-attempt-failed',
          detail: { round: input.round, attempt, error: (error as Error).message },
        });
        throw error;
      }
      await orders.transition({
        orderId: input.orderId,
        to: OrderStatus.PROCESSING,
        from: [OrderStatus.PENDING], // never un-escalate: the workflow owns later moves
        fields: answer.outcome === 'accepted' ? { carrierOrderId: answer.carrierOrderId } : {},
        event: { key: eventKey, type: `carrier-${answer.outcome}`, detail: { round: input.round, attempt, ...answer } },
      });
      return { ...answer, attempt };
    },

    async queryCarrierStatus(input: QueryCarrierStatusInput): Promise<CarrierStatus> {
      const answer = await carrier.status(input.orderId);
      await orders.appendEvent(input.orderId, { key: input.eventKey, type: 'carrier-status-queried', detail: { purpose: input.purpose, ...answer } });
      return answer;
    },
  };

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
