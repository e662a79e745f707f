import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { ReversalStart } from '../../orders/reversal-service.ts';
import { carrierCallbackBodySchema, SIGNATURE_HEADER, type CarrierCallbackBody } from '../../carrier/protocol.ts';
import { verify } from '../../util/signature.ts';
import type { ApiDeps } from '../deps.ts';
import { orderNotFound, problem } from '../errors.ts';
import { SUPPLIER_ID_PATTERN, noQuery, supplierIdParam } from '../request-schemas.ts';
import { validate } from '../validate.ts';

/**
 * The secret a callback must be signed with (none for a supplier we do not
 * have), how far its signed timestamp may be from our clock, and the
 * supplier it names (none for `/carrier`).
 */
type CallbackEnv = { Variables: { secret: string | undefined; maxSkewSeconds: number; supplierId?: string } };

/** The window of `/callbacks/carrier` (orders from before suppliers), as a supplier's default. */
const DEFAULT_MAX_SKEW_SECONDS = 300;

/**
 * Refuses a body not signed with the route's secret (401), before anything
 * reads it as a callback. A supplier we do not have has no secret: its
 * callbacks get the same 401, so an unsigned request learns nothing of
 * which suppliers exist.
 */
const signed =
  (logger: ApiDeps['logger']): MiddlewareHandler<CallbackEnv> =>
  async (c, next) => {
    const secret = c.get('secret');
    const signature = c.req.header(SIGNATURE_HEADER);
    if (secret === undefined || signature === undefined || !verify(secret, await c.req.text(), signature)) {
      logger.warn({ path: c.req.path }, 'carrier callback with a missing or wrong signature refused');
      return problem(c, 401, 'invalid_signature', `${SIGNATURE_HEADER} must be the hex HMAC-SHA256 of the raw body`);
    }
    await next();
  };

type VerifiedContext = Context<CallbackEnv, string, { out: { json: CarrierCallbackBody } }>;

/** The callback as it arrived, its signature verified and its body checked. */
async function verifiedCallback(c: VerifiedContext) {
  const supplierId = c.get('supplierId');
  return {
    callback: c.req.valid('json'),
    rawBody: await c.req.text(),
    signature: c.req.header(SIGNATURE_HEADER) as string,
    ...(supplierId !== undefined && { supplierId }),
  };
}

/**
 * Why a callback's signed timestamp is out of the supplier's window, if it
 * is: an old callback replayed (a FAILED one against a SUCCEEDED order would
 * raise a false contradiction) or a clock far off. A repeat within the
 * window is idempotent downstream.
 */
function staleness(timestamp: string, maxSkewSeconds: number, now = Date.now()): string | undefined {
  const skewSeconds = Math.round((now - Date.parse(timestamp)) / 1000);
  if (Math.abs(skewSeconds) <= maxSkewSeconds) return undefined;
  const off = skewSeconds > 0 ? `${skewSeconds} s old` : `${-skewSeconds} s ahead of our clock`;
  return `timestamp ${timestamp} is ${off}; callbacks are accepted within ${maxSkewSeconds} s`;
}

/** Hands a verified, checked, timely callback to the callback service, and answers as the supplier expects. */
const receive =
  ({ callbackService }: Pick<ApiDeps, 'callbackService'>) =>
  async (c: VerifiedContext) => {
    const received = await verifiedCallback(c);
    const { callback } = received;
    const stale = staleness(callback.timestamp, c.get('maxSkewSeconds'));
    if (stale !== undefined) {
      await callbackService.refuse(received, stale);
      return problem(c, 401, 'stale_callback', stale);
    }
    const result = await callbackService.receive(received);
    switch (result.kind) {
      case 'order-not-found':
        return orderNotFound(c, callback.orderId);
      case 'workflow-not-running':
        return problem(c, 503, 'order_not_running', 'The order is open but its workflow is not running; re-send later');
      case 'already-decided':
        return c.json({
          received: true,
          applied: false,
          reason: `order already ${result.status}`,
          flaggedForReview: result.flaggedForReview,
        });
      case 'forwarded':
        return c.json({ received: true, applied: true });
      case 'reversal':
        return reversalAnswer(c, callback.orderId, result.reversal);
    }
  };

/**
 * A REVERSED callback's answer: taken (200, applied unless reversed before); refused for review (409:
 * re-sending changes nothing); or not now (503: the supplier re-sends).
 */
function reversalAnswer(c: VerifiedContext, requestId: string, reversal: ReversalStart) {
  switch (reversal.kind) {
    case 'order-not-found':
      return orderNotFound(c, requestId);
    case 'refused':
      return problem(c, 409, 'not_reversible', `Not reversed: ${reversal.reason}; recorded for review`);
    case 'not-final':
      // Its SUCCESS may still be on its way: a supplier re-sends on 5xx, and the reversal then applies.
      return problem(c, 503, 'order_not_final', `The order is ${reversal.status}, not yet final; re-send later`);
    case 'unavailable':
      return problem(c, 503, 'workflow_unavailable', 'The reversal could not be started now; re-send later');
    case 'started':
    case 'already-reversed':
      return c.json({ received: true, applied: reversal.kind === 'started', reversal: reversal.workflowId });
  }
}

/** The secret and window of the supplier a callback names; no secret for an id no supplier can have (refused as unsigned, before its form is checked). */
const supplierSecret =
  ({ suppliers }: Pick<ApiDeps, 'suppliers'>): MiddlewareHandler<CallbackEnv> =>
  async (c, next) => {
    const supplierId = c.req.param('supplierId') ?? '';
    const auth = SUPPLIER_ID_PATTERN.test(supplierId) ? await suppliers.callbackAuthOf(supplierId) : undefined;
    c.set('secret', auth?.secret);
    c.set('maxSkewSeconds', auth?.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS);
    c.set('supplierId', supplierId);
    await next();
  };

/**
 * The carrier's result callbacks: authenticate the raw body, check it, then
 * hand it to the callback service. Repeats and late arrivals are answered 200
 * so the carrier stops re-sending; the workflow ignores them. Each supplier
 * posts to its own path, signed with its own secret; `/carrier` serves orders
 * sent before suppliers.
 */
export function callbacksRoutes({
  callbackService,
  logger,
  callbackSecret,
  suppliers,
}: Pick<ApiDeps, 'callbackService' | 'logger' | 'callbackSecret' | 'suppliers'>) {
  const body = validate('json', carrierCallbackBodySchema);
  const answer = receive({ callbackService });

  return new Hono<CallbackEnv>()
    .post(
      '/carrier',
      async (c, next) => {
        c.set('secret', callbackSecret);
        c.set('maxSkewSeconds', DEFAULT_MAX_SKEW_SECONDS);
        await next();
      },
      signed(logger),
      validate('query', noQuery),
      body,
      answer,
    )
    .post(
      '/suppliers/:supplierId',
      supplierSecret({ suppliers }),
      signed(logger),
      validate('param', supplierIdParam),
      validate('query', noQuery),
      body,
      answer,
    );
}
