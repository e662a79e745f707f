/** The pipeline's HTTP side: takes orders onto the order list and carrier callbacks onto the results list. */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import pg from 'pg';
import { carrierCallbackBodySchema, SIGNATURE_HEADER } from '../../src/carrier/protocol.ts';
import { segmentTable, soldCarrier } from '../../src/numbers/segments.ts';
import { verify } from '../../src/util/signature.ts';
import { ORDERS_LIST, RESULTS_LIST, requiredEnv, type QueuedOrder, type QueuedResult } from './shared.ts';

const pool = new pg.Pool({ connectionString: requiredEnv('DATABASE_URL') });
const redis = new Redis(requiredEnv('REDIS_URL'));
const callbackSecret = requiredEnv('CARRIER_CALLBACK_SECRET');

const app = new Hono()
  .get('/health', (c) => c.json({ ok: true }))
  .post('/orders', async (c) => {
    const body = await c.req.json<{ merchantOrderNo: string; phone: string; amount: number }>();
    const carrier = soldCarrier(segmentTable().lookup(body.phone));
    if (!carrier) return c.json({ error: 'unknown carrier' }, 400);
    const inserted = await pool.query(
      'INSERT INTO queue_orders (merchant_order_no, phone, amount_yuan) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [body.merchantOrderNo, body.phone, body.amount],
    );
    if (inserted.rowCount === 1) {
      const order: QueuedOrder = {
        merchantOrderNo: body.merchantOrderNo,
        phone: body.phone,
        carrier,
        amountYuan: body.amount,
      };
      await redis.rpush(ORDERS_LIST, JSON.stringify(order));
    }
    return c.json({ merchantOrderNo: body.merchantOrderNo, status: 'pending' }, inserted.rowCount === 1 ? 202 : 200);
  })
  .post('/callbacks/carrier', async (c) => {
    const raw = await c.req.text();
    if (!verify(callbackSecret, raw, c.req.header(SIGNATURE_HEADER)))
      return c.json({ error: 'invalid signature' }, 401);
    const callback = carrierCallbackBodySchema.parse(JSON.parse(raw));
    const result: QueuedResult = {
      merchantOrderNo: callback.orderId,
      status: callback.status === 'SUCCESS' ? 'success' : 'failed',
    };
    await redis.rpush(RESULTS_LIST, JSON.stringify(result));
    return c.json({ received: true });
  });

const server = serve({ fetch: app.fetch, port: Number(requiredEnv('PORT')), hostname: '127.0.0.1' });
process.once('SIGTERM', () => server.close(() => void Promise.all([pool.end(), redis.quit()])));
