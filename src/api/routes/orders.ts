import { Hono, type MiddlewareHandler } from 'hono';
import { endTime, startTime } from 'hono/timing';
import { z } from 'zod';
import type { OrderRow } from '../../db/order-repository.ts';
import { maskPhone } from '../../util/mask.ts';
import { liveOrderState } from '../../orders/live-order-state.ts';
import { startOrderWorkflow } from '../../orders/start-order-workflow.ts';
import { DENOMINATIONS_YUAN, PHONE_PATTERN, carrierOf } from '../../shared/carriers.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import { costFen } from '../../merchants/pricing.ts';
import type { ApiDeps } from '../deps.ts';
import { invalidRequest, orderNotFound, problem } from '../errors.ts';
import type { MerchantEnv } from '../merchant-auth.ts';
import { orderJson } from '../order-json.ts';
import { orderIdParam } from '../request-schemas.ts';
import { validate } from '../validate.ts';

const merchantOrderNo = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"');
const submitOrderSchema = z.object({
  merchantOrderNo,
  phone: z.string().regex(PHONE_PATTERN, 'must be an 11-digit mainland mobile number'),
  amount: z
    .number()
    .int()
    .refine((value) => (DENOMINATIONS_YUAN as readonly number[]).includes(value), `must be one of ${DENOMINATIONS_YUAN.join(', ')} (yuan)`),
  notifyUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
});
type SubmitOrder = z.infer<typeof submitOrderSchema>;

const sameSubmission = (order: OrderRow, body: SubmitOrder) =>
  order.phone === body.phone && order.amountYuan === body.amount && order.notifyUrl === (body.notifyUrl ?? null);

/** A merchant's orders: each merchant sees and submits only its own (another's order is a 404). */
export function ordersRoutes({ orders, ledger, temporal, logger, slaSeconds }: ApiDeps, auth: MiddlewareHandler<MerchantEnv>) {
  /** The order, if it is this merchant's. */
  async function ownOrder(merchantId: string, orderId: string) {
    const order = await orders.findById(orderId);
    return order?.merchantId === merchantId ? order : undefined;
  }

  return new Hono<MerchantEnv>()
    .use(auth)
    .post('/', validate('json', submitOrderSchema), async (c) => {
      const body = c.req.valid('json');
      const merchant = c.get('merchant');
      const carrier = carrierOf(body.phone);
      if (!carrier) return invalidRequest(c, [{ field: 'phone', message: 'number segment belongs to no supported carrier (CMCC, CUCC, CTCC)' }]);
      const cost = costFen(body.amount, merchant.rates[carrier]);

      startTime(c, 'db', 'order insert and debit');
      const result = await orders.createOrder({ merchantId: merchant.id, merchantOrderNo: body.merchantOrderNo, phone: body.phone, carrier, amountYuan: body.amount, costFen: cost, notifyUrl: body.notifyUrl });
      endTime(c, 'db');
      if (result.outcome === 'insufficient-balance') {
        return problem(c, 402, 'insufficient_balance', `The order costs ${cost} fen and the balance is ${result.balanceFen} fen; nothing was stored. Top up and submit again.`);
      }
      const { order } = result;
      const created = result.outcome === 'created';
      if (!created && !sameSubmission(order, body)) {
        return problem(c, 409, 'merchant_order_no_conflict', `merchantOrderNo ${body.merchantOrderNo} was already submitted with a different phone, amount or notifyUrl`);
      }
      // A repeat of a PENDING order also (re)starts its workflow: the repair path if the first start was lost.
      if (created || order.status === OrderStatus.PENDING) {
        try {
          startTime(c, 'workflow', 'workflow start');
          await startOrderWorkflow(temporal, order, slaSeconds);
          endTime(c, 'workflow');
        } catch (error) {
          // The order is stored, so it is accepted: the stale-order sweeper starts its workflow later.
          logger.error({ err: error, orderId: order.id }, 'workflow start failed; left to the sweeper');
        }
      }
      if (created) logger.info({ orderId: order.id, merchantId: merchant.id, merchantOrderNo: order.merchantOrderNo, phone: maskPhone(order.phone), amountYuan: order.amountYuan, costFen: cost }, 'order accepted');
      return c.json(orderJson(order), created ? 202 : 200);
    })
    .get('/', validate('query', z.strictObject({ merchantOrderNo })), async (c) => {
      const { merchantOrderNo } = c.req.valid('query');
      const order = await orders.findByMerchantOrderNo(c.get('merchant').id, merchantOrderNo);
      if (!order) return orderNotFound(c, `with merchantOrderNo ${merchantOrderNo}`);
      return c.json(orderJson(order, { money: await ledger.listForOrder(order.id) }));
    })
    .get('/:orderId', validate('param', orderIdParam), async (c) => {
      const { orderId } = c.req.valid('param');
      const order = await ownOrder(c.get('merchant').id, orderId);
      if (!order) return orderNotFound(c, orderId);
      const [history, money] = await Promise.all([orders.listEvents(orderId), ledger.listForOrder(orderId)]);
      return c.json(orderJson(order, { history, money }));
    })
    .get('/:orderId/live', validate('param', orderIdParam), async (c) => {
      const { orderId } = c.req.valid('param');
      const order = await ownOrder(c.get('merchant').id, orderId);
      if (!order) return orderNotFound(c, orderId);
      const state = await liveOrderState(temporal, orderId);
      if (!state) return problem(c, 503, 'workflow_unavailable', 'The order workflow cannot answer now (not started yet, or no worker); the view above is current');
      return c.json(state);
    });
}
