import { WorkflowNotFoundError } from '@temporalio/client';
import { Hono } from 'hono';
import { carrierCallbackBodySchema, SIGNATURE_HEADER } from '../../carrier/protocol.ts';
import { verify } from '../../lib/signature.ts';
import { isFinal } from '../../shared/order-status.ts';
import { carrierCallbackSignal, orderWorkflowId } from '../../shared/order-workflow.ts';
import type { ApiDeps } from '../deps.ts';
import { fieldProblems, invalidRequest, problem } from '../errors.ts';

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

    const order = await orders.findById(callback.orderId);
    if (!order) return problem(c, 404, 'order_not_found', `No order ${callback.orderId}`);
    const callbackId = await orders.recordCallback(order.id, rawBody, signature as string, { status: callback.status, carrierOrderId: callback.carrierOrderId });
    if (isFinal(order.status)) return c.json({ received: true, applied: false, reason: `order already ${order.status}` });

    try {
      await temporal.workflow.getHandle(orderWorkflowId(order.id)).signal(carrierCallbackSignal, {
        callbackId,
        carrierOrderId: callback.carrierOrderId,
        status: callback.status,
        timestamp: callback.timestamp,
        ...(callback.reason !== undefined && { reason: callback.reason }),
      });
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      return c.json({ received: true, applied: false, reason: 'order workflow already closed' });
    }
    logger.info({ orderId: order.id, callbackId, status: callback.status }, 'carrier callback forwarded');
    return c.json({ received: true, applied: true });
  });
}
