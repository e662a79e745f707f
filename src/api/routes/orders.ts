import { Hono } from 'hono';
import { endTime, startTime } from 'hono/timing';
import { z } from 'zod';
import type { OrderRow } from '../../db/order-repository.ts';
import { maskPhone } from '../../util/mask.ts';
import { liveOrderState } from '../../orders/live-order-state.ts';
import { startOrderWorkflow } from '../../orders/start-order-workflow.ts';
import { DENOMINATIONS_YUAN, PHONE_PATTERN, carrierOf } from '../../shared/carriers.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import type { ApiDeps } from '../deps.ts';
import { invalidRequest, orderNotFound, problem } from '../errors.ts';
import { orderJson } from '../order-json.ts';
import { validate } from '../validate.ts';

const submitOrderSchema = z.object({
  merchantOrderNo: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"'),
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

export function ordersRoutes({ orders, temporal, logger, slaSeconds }: ApiDeps) {
  return new Hono()
    .post('/', validate('json', submitOrderSchema), async (c) => {
      const body = c.req.valid('json');
      const carrier = carrierOf(body.phone);
      if (!carrier) return invalidRequest(c, [{ field: 'phone', message: 'number segment belongs to no supported carrier (CMCC, CUCC, CTCC)' }]);

      startTime(c, 'db', 'order insert');
      const { order, created } = await orders.createOrder({ merchantOrderNo: body.merchantOrderNo, phone: body.phone, carrier, amountYuan: body.amount, notifyUrl: body.notifyUrl });
      endTime(c, 'db');
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
      if (created) logger.info({ orderId: order.id, merchantOrderNo: order.merchantOrderNo, phone: maskPhone(order.phone), amountYuan: order.amountYuan }, 'order accepted');
      return c.json(orderJson(order), created ? 202 : 200);
    })
    .get('/', validate('query', z.object({ merchantOrderNo: z.string().min(1).max(64) })), async (c) => {
      const { merchantOrderNo } = c.req.valid('query');
      const order = await orders.findByMerchantOrderNo(merchantOrderNo);
      if (!order) return orderNotFound(c, `with merchantOrderNo ${merchantOrderNo}`);
      return c.json(orderJson(order));
    })
    .get('/:orderId', async (c) => {
      const orderId = c.req.param('orderId');
      const order = await orders.findById(orderId);
      if (!order) return orderNotFound(c, orderId);
      return c.json(orderJson(order, await orders.listEvents(orderId)));
    })
    .get('/:orderId/live', async (c) => {
      const orderId = c.req.param('orderId');
      const order = await orders.findById(orderId);
      if (!order) return orderNotFound(c, orderId);
      const state = await liveOrderState(temporal, orderId);
      if (!state) return problem(c, 503, 'workflow_unavailable', 'The order workflow cannot answer now (not started yet, or no worker); the view above is current');
      return c.json(state);
    });
}
