import { Hono, type Context } from 'hono';
import { carrierCallbackBodySchema, SIGNATURE_HEADER } from '../../carrier/protocol.ts';
import { verify } from '../../util/signature.ts';
import type { ApiDeps } from '../deps.ts';
import { fieldProblems, invalidRequest, orderNotFound, problem, supplierNotFound } from '../errors.ts';
import { supplierIdParam } from '../request-schemas.ts';
import { validate } from '../validate.ts';

/**
 * The carrier's result callbacks: authenticate the raw body, then hand it to
 * the callback service. Repeats and late arrivals are answered 200 so the
 * carrier stops re-sending; the workflow ignores them. Each supplier posts
 * to its own path, signed with its own secret; `/carrier` serves orders sent
 * before suppliers.
 */
export function callbacksRoutes({ callbackService, logger, callbackSecret, suppliers }: Pick<ApiDeps, 'callbackService' | 'logger' | 'callbackSecret' | 'suppliers'>) {
  async function receive(c: Context, secret: string, supplierId?: string) {
    const rawBody = await c.req.text();
    const signature = c.req.header(SIGNATURE_HEADER);
    if (signature === undefined || !verify(secret, rawBody, signature)) {
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

    const result = await callbackService.receive({ callback, rawBody, signature, ...(supplierId !== undefined && { supplierId }) });
    switch (result.kind) {
      case 'order-not-found':
        return orderNotFound(c, callback.orderId);
      case 'workflow-not-running':
        return problem(c, 503, 'order_not_running', 'The order is open but its workflow is not running; re-send later');
      case 'already-decided':
        return c.json({ received: true, applied: false, reason: `order already ${result.status}`, flaggedForReview: result.flaggedForReview });
      case 'forwarded':
        return c.json({ received: true, applied: true });
    }
  }

  return new Hono()
    .post('/carrier', (c) => receive(c, callbackSecret))
    .post('/suppliers/:supplierId', validate('param', supplierIdParam), async (c) => {
      const { supplierId } = c.req.valid('param');
      const supplier = await suppliers.findById(supplierId);
      if (!supplier) return supplierNotFound(c, supplierId);
      return receive(c, supplier.callbackSecret, supplierId);
    });
}
