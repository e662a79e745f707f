import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { OrderRepository } from '../db/order-repository.ts';
import { sign } from '../util/signature.ts';
import type { MerchantNotificationActivities } from '../shared/order-activities.ts';
import { isFinal } from '../shared/order-status.ts';

const NOTIFY_TIMEOUT_MS = 10_000;

/** The merchant did not answer 2xx; Temporal retries with growing intervals. */
export class MerchantUnreachableError extends Error {
  override name = 'MerchantUnreachableError';
}

export interface MerchantNotificationDeps {
  orders: OrderRepository;
}

type NotifiedOrder = NonNullable<Awaited<ReturnType<OrderRepository['findWithMerchantSecret']>>>;

/**
 * One signed delivery of the order's result: undefined if the merchant took
 * it (2xx), else why not. Each delivery has an id of its own and the time it
 * was sent, both in the signed body (and, for convenience, in X-Delivery-Id
 * and X-Timestamp): a merchant refuses a delivery it has seen, or one too
 * old, as we refuse suppliers' callbacks.
 */
async function deliver(order: NotifiedOrder, notifyUrl: string): Promise<string | undefined> {
  const deliveryId = randomUUID();
  const timestamp = new Date().toISOString();
  const body = JSON.stringify({
    deliveryId,
    orderId: order.id,
    merchantOrderNo: order.merchantOrderNo,
    status: order.status,
    amountYuan: order.amountYuan,
    costFen: order.costFen === null ? null : Number(order.costFen),
    carrierOrderId: order.carrierOrderId,
    failureReason: order.failureReason,
    finishedAt: order.finishedAt,
    timestamp,
  });
  try {
    const response = await fetch(notifyUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-Signature': sign(order.merchant.callbackSecret, body),
        'X-Delivery-Id': deliveryId,
        'X-Timestamp': timestamp,
      },
      body,
      signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
    });
    return response.ok ? undefined : `merchant answered HTTP ${response.status}`;
  } catch (error) {
    return `merchant unreachable: ${(error as Error).message}`;
  }
}

export function createMerchantNotificationActivities({ orders }: MerchantNotificationDeps) {
  return {
    /**
     * POSTs the order's final result to its notifyUrl, signed with the
     * merchant's callback secret (hex HMAC-SHA256 of the raw body, header
     * X-Signature), and records the attempt in the order view. Throws unless
     * the merchant answers 2xx.
     */
    async notifyMerchant({ orderId }) {
      const order = await orders.findWithMerchantSecret(orderId);
      if (!order?.notifyUrl || !isFinal(order.status)) return;
      const failure = await deliver(order, order.notifyUrl);
      const { info, metricMeter } = Context.current();
      const { attempt, activityId, workflowExecution } = info;
      metricMeter
        .createCounter('merchant_notifications', 'notifications', 'Merchant result notifications sent, by outcome')
        .add(1, { outcome: failure ? 'failed' : 'delivered' });
      await orders.recordNotificationAttempt(order.id, {
        key: `notify:${workflowExecution?.runId}:${activityId}:${attempt}`,
        attempt,
        ...(failure !== undefined && { error: failure }),
      });
      if (failure) throw new MerchantUnreachableError(failure);
    },

    /** Marks the notification abandoned once its retry window has passed. */
    async recordNotificationGaveUp({ orderId, reason }) {
      Context.current()
        .metricMeter.createCounter(
          'merchant_notifications_given_up',
          'orders',
          'Orders whose merchant could not be told in the retry window',
        )
        .add(1);
      await orders.recordNotificationGaveUp(orderId, reason);
    },
  } satisfies MerchantNotificationActivities;
}
