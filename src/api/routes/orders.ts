import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { endTime, startTime } from 'hono/timing';
import { z } from 'zod';
import type { StepTimer, SubmitOrderResult } from '../../orders/order-service.ts';
import { DENOMINATIONS_YUAN } from '../../shared/carriers.ts';
import { SPEEDS } from '../../shared/speeds.ts';
import type { ApiDeps } from '../deps.ts';
import { orderNotFound, problem, unknownSegment } from '../errors.ts';
import type { MerchantEnv } from '../merchant-auth.ts';
import { orderJson } from '../order-json.ts';
import { httpUrl, noQuery, orderIdParam, phone } from '../request-schemas.ts';
import { validate } from '../validate.ts';

const merchantOrderNo = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"');
const submitOrderSchema = z
  .strictObject({
    merchantOrderNo,
    phone,
    amount: z.literal(DENOMINATIONS_YUAN, `must be one of ${DENOMINATIONS_YUAN.join(', ')} (yuan)`),
    /** 快充 / 慢充: a slow order may take a day (SLOW_SLA_SECONDS) and is priced at the merchant's slow rate. */
    speed: z.enum(SPEEDS).default('fast'),
    notifyUrl: httpUrl.optional(),
  })
  .meta({
    description: [
      'Refusals, each with nothing stored or debited (`error` names the reason):',
      '400 `invalid_request` (a field breaks its schema; `fields` names each);',
      '402 `insufficient_balance` (the balance does not cover the price);',
      '409 `merchant_order_no_conflict` (the merchantOrderNo was used with another phone, amount, speed or notifyUrl);',
      '422 `unknown_segment` (the number-segment table does not know the number),',
      '`product_unavailable` (no enabled supplier sells this carrier, province, face value and speed within the price, the merchant has no price for the speed, or the number is a virtual operator’s or China Broadcast Network’s),',
      '`number_blocked` (the number may not be topped up),',
      '`number_limit_exceeded` (the number’s orders of the last 24 hours, across merchants, leave no room: at most 10 orders and 1,000 yuan by default).',
      'A repeat of an accepted merchantOrderNo is answered 200 with the order, whatever changed since.',
    ].join(' '),
    examples: [
      {
        merchantOrderNo: 'M20261123001',
        phone: '13812345678',
        amount: 50,
        notifyUrl: 'https://merchant.example/recharge-results',
      },
      { merchantOrderNo: 'M20261123002', phone: '13800138000', amount: 100, speed: 'slow' },
    ],
  });

/** The entity tags an If-None-Match header names (weak ones compare as strong: the body is the same for a version). */
const entityTags = (header: string | undefined): string[] =>
  header?.split(',').flatMap((tag) => /^\s*(?:W\/)?"([^"]*)"\s*$/.exec(tag)?.[1] ?? []) ?? [];

/** Each step the service times becomes a Server-Timing entry of the answer. */
const serverTiming =
  (c: Context): StepTimer =>
  async (step, description, work) => {
    startTime(c, step, description);
    try {
      return await work();
    } finally {
      endTime(c, step);
    }
  };

/** What the merchant hears of a submission. */
function submissionAnswer(c: Context, result: SubmitOrderResult, merchantOrderNo: string) {
  switch (result.kind) {
    case 'unknown-segment':
      return unknownSegment(c, 422);
    case 'product-unavailable':
      return problem(
        c,
        422,
        'product_unavailable',
        result.virtual
          ? `This is a virtual operator's number (hosted by ${result.carrier}): it is recharged through that operator, which no supplier here is; nothing was stored.`
          : `Nothing on sale for ${result.carrier} numbers of ${result.province} at this face value and speed (see GET /products?phone=); nothing was stored.`,
      );
    case 'number-blocked':
      return problem(c, 422, 'number_blocked', 'This number may not be topped up; nothing was stored.');
    case 'number-limit-exceeded': {
      const { orders, amountYuan, maxOrders, maxAmountYuan } = result.usage;
      return problem(
        c,
        422,
        'number_limit_exceeded',
        `This number has ${orders} orders for ${amountYuan} yuan in the last 24 hours; at most ${maxOrders} orders and ${maxAmountYuan} yuan are allowed; nothing was stored.`,
      );
    }
    case 'insufficient-balance':
      return problem(
        c,
        402,
        'insufficient_balance',
        `The order costs ${result.costFen} fen and the balance is ${result.balanceFen} fen${result.creditLimitFen > 0n ? ` with a credit limit of ${result.creditLimitFen} fen` : ''}; nothing was stored. Top up and submit again.`,
      );
    case 'conflict':
      return problem(
        c,
        409,
        'merchant_order_no_conflict',
        `merchantOrderNo ${merchantOrderNo} was already submitted with a different phone, amount, speed or notifyUrl`,
      );
    case 'accepted':
      return c.json(orderJson(result.order), 202);
    case 'repeated':
      return c.json(orderJson(result.order), 200);
  }
}

/** A merchant's orders: each merchant sees and submits only its own (another's order is a 404). */
export function ordersRoutes({ orderService }: Pick<ApiDeps, 'orderService'>, auth: MiddlewareHandler<MerchantEnv>) {
  return (
    new Hono<MerchantEnv>()
      .use(auth)
      .post('/', validate('query', noQuery), validate('json', submitOrderSchema), async (c) => {
        const body = c.req.valid('json');
        const result = await orderService.submit(c.get('merchant'), body, serverTiming(c));
        return submissionAnswer(c, result, body.merchantOrderNo);
      })
      .get('/', validate('query', z.strictObject({ merchantOrderNo })), async (c) => {
        const { merchantOrderNo } = c.req.valid('query');
        const found = await orderService.findByMerchantOrderNo(c.get('merchant').id, merchantOrderNo);
        if (!found) return orderNotFound(c, `with merchantOrderNo ${merchantOrderNo}`);
        return c.json(orderJson(found.order, { money: found.money }));
      })
      // Polled: the answer carries an ETag; with If-None-Match naming it, an unchanged order is a 304 without a body.
      .get('/:orderId', validate('param', orderIdParam), validate('query', noQuery), async (c) => {
        const { orderId } = c.req.valid('param');
        const found = await orderService.findOwn(
          c.get('merchant').id,
          orderId,
          entityTags(c.req.header('if-none-match')),
        );
        if (!found) return orderNotFound(c, orderId);
        c.header('ETag', `"${found.version}"`);
        c.header('Cache-Control', 'private, no-cache');
        if (found.kind === 'not-modified') return c.body(null, 304);
        const { order, history, money } = found.story;
        return c.json(orderJson(order, { history, money }));
      })
      .get('/:orderId/live', validate('param', orderIdParam), validate('query', noQuery), async (c) => {
        const { orderId } = c.req.valid('param');
        const live = await orderService.liveState(c.get('merchant').id, orderId);
        switch (live.kind) {
          case 'not-found':
            return orderNotFound(c, orderId);
          case 'unavailable':
            return problem(
              c,
              503,
              'workflow_unavailable',
              'The order workflow cannot answer now (not started yet, or no worker); the view above is current',
            );
          case 'live':
            return c.json(live.state);
        }
      })
  );
}
