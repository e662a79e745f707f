import { WorkflowNotFoundError } from '@temporalio/client';
import { Hono } from 'hono';
import { carrierCallbackBodySchema, SIGNATURE_HEADER } from '../../carrier/protocol.ts';
import { verify } from '../../util/signature.ts';
import { OrderStatus, isFinal } from '../../shared/order-status.ts';
import { carrierCallbackSignal, orderWorkflowId } from '../../shared/order-workflow.ts';
import type { ApiDeps } from '../deps.ts';
import { fieldProblems, invalidRequest, orderNotFound, problem } from '../errors.ts';

/**
 * The carrier's result callback: authenticate the raw body, record it, then
 * hand it to the order's workflow as a signal. Repeats and late arrivals are
 * answered 200 so the carrier stops re-sending; the workflow ignores them.
 */
export function callbacksRoutes({ orders, temporal, logger, callbackSecret }: ApiDeps) {
  return new Hono().post('/carrier', async (c) => {
    const rawBody = await c.req.text();
    const signature = c.req.header(SIGNATURE_HEADER);
    if (!verify(callbackSecret, rawBody, signature)) {
      logger.warn({ path: c.req.path }, 'carrier callback with a missing or wrong signature refused');
      return problem(c, 401, 'invalid_signature', `${SIGNATURE_HEADER} must be the hex HMAC-SHA256 of the raw body`);
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return invalidRequest(c, [{ field: '(body)', message: 'malformed JSON' }]);
    }
    const parsed = carrierCallbackBodySchema.safeParse(json);
    if (!parsed.success) return invalidRequest(c, fieldProblems(parsed.error));
    const callback = parsed.data;

    const recorded = await orders.recordCallback(callback.orderId, rawBody, signature as string, { status: callback.status, carrierOrderId: callback.carrierOrderId });
    if (!recorded) return orderNotFound(c, callback.orderId);
    const { callbackId, orderStatus } = recorded;
    const orderId = callback.orderId;

    try {
      // Signalled even when the view is final: the workflow may still be open (notifying the merchant, or
      // watching for late callbacks after an operator's decision) and must see a contradiction.
      await temporal.workflow.getHandle(orderWorkflowId(orderId)).signal(carrierCallbackSignal, {
        callbackId,
        carrierOrderId: callback.carrierOrderId,
        status: callback.status,
        timestamp: callback.timestamp,
        ...(callback.reason !== undefined && { reason: callback.reason }),
      });
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      if (!isFinal(orderStatus)) {
        // Open order without a running workflow: never swallow the result; the carrier re-sends on 5xx.
        logger.error({ orderId, callbackId }, 'callback for an open order whose workflow is not running');
        return problem(c, 503, 'order_not_running', 'The order is open but its workflow is not running; re-send later');
      }
      const contradicts = (callback.status === 'SUCCESS') !== (orderStatus === OrderStatus.SUCCEEDED);
      if (contradicts) {
        const reason = `carrier reported ${callback.status} (callback ${callbackId}) after the order closed ${orderStatus}`;
        await orders.flagForReview(orderId, reason, { key: `contradiction:${callbackId}`, type: 'contradiction-flagged', detail: { reason, callbackId } });
        logger.warn({ orderId, callbackId }, reason);
      }
      return c.json({ received: true, applied: false, reason: `order already ${orderStatus}`, flaggedForReview: contradicts });
    }
    logger.info({ orderId, callbackId, status: callback.status }, 'carrier callback forwarded');
    return c.json({ received: true, applied: true });
  });
}
