import { describe, expect, it, vi } from 'vitest';
import type { LiveStateResult, OrderService, SubmitOrderResult } from '../../../src/orders/order-service.ts';
import { AS_MERCHANT, MERCHANT, ORDER_ID, debitEntry, fakeApp, orderRow, stub, submittedEvent } from './fake-app.ts';

const order = { merchantOrderNo: 'M-1', phone: '13812345678', amount: 50 };

function withSubmit(result: SubmitOrderResult) {
  const submit = vi.fn<OrderService['submit']>(async () => result);
  return { submit, api: fakeApp({ orderService: stub<OrderService>('orderService', { submit }) }) };
}

describe('POST /orders: request contract', () => {
  it.each([
    ['no key', {}, 'Send your merchant API key as Authorization: Bearer <key>'],
    ['an unknown key', { authorization: 'Bearer rk_nobody' }, 'Unknown API key'],
  ])('refuses %s with 401 and never submits', async (_, headers, message) => {
    const { submit, api } = withSubmit({ kind: 'conflict' });
    const answer = await api.request('/orders', { method: 'POST', headers, body: order });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="merchant"');
    expect(answer.body).toEqual({ error: 'unauthenticated', message });
    expect(submit).not.toHaveBeenCalled();
  });

  it.each([
    [{ ...order, phone: '1381234567' }, ['phone']],
    [{ ...order, phone: '12812345678' }, ['phone']], // not a mobile number at all
    [{ ...order, speed: 'express' }, ['speed']],
    [{ ...order, channel: 'x' }, ['channel']], // a field this API does not know is refused, never dropped
    [{ ...order, amount: 15 }, ['amount']],
    [{ ...order, amount: '50' }, ['amount']],
    [{ ...order, notifyUrl: 'ftp://merchant.test/n' }, ['notifyUrl']],
    [{ phone: order.phone, amount: 50 }, ['merchantOrderNo']],
    [{ ...order, merchantOrderNo: 'has space' }, ['merchantOrderNo']],
  ])('refuses %j with 400 naming %j, and never submits', async (body, fields) => {
    const { submit, api } = withSubmit({ kind: 'conflict' });
    const answer = await api.request('/orders', { method: 'POST', headers: AS_MERCHANT, body });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
    expect(answer.body.fields.map((f: { field: string }) => f.field)).toEqual(fields);
    expect(submit).not.toHaveBeenCalled();
  });

  it('submits the validated order for the authenticated merchant, fast unless it asks for slow', async () => {
    const { submit, api } = withSubmit({ kind: 'accepted', order: orderRow() });
    await api.request('/orders', {
      method: 'POST',
      headers: AS_MERCHANT,
      body: { ...order, notifyUrl: 'https://merchant.test/n' },
    });
    expect(submit).toHaveBeenCalledWith(
      MERCHANT,
      { ...order, speed: 'fast', notifyUrl: 'https://merchant.test/n' },
      expect.any(Function),
    );
    await api.request('/orders', { method: 'POST', headers: AS_MERCHANT, body: { ...order, speed: 'slow' } });
    expect(submit).toHaveBeenLastCalledWith(MERCHANT, { ...order, speed: 'slow' }, expect.any(Function));
  });
});

describe('POST /orders: each submission result as HTTP', () => {
  it('answers a new order 202 with the order, and an idempotent repeat 200 with the same body', async () => {
    const accepted = await withSubmit({ kind: 'accepted', order: orderRow() }).api.request('/orders', {
      method: 'POST',
      headers: AS_MERCHANT,
      body: order,
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      orderId: ORDER_ID,
      merchantOrderNo: 'M-1',
      status: 'PENDING',
      costFen: 4925,
      createdAt: '2026-11-23T12:00:00.000Z',
    });
    expect(accepted.body).not.toHaveProperty('history');
    const repeated = await withSubmit({ kind: 'repeated', order: orderRow() }).api.request('/orders', {
      method: 'POST',
      headers: AS_MERCHANT,
      body: order,
    });
    expect(repeated).toMatchObject({ status: 200, body: accepted.body });
  });

  it('answers 409 when the merchantOrderNo was used for another order', async () => {
    const answer = await withSubmit({ kind: 'conflict' }).api.request('/orders', {
      method: 'POST',
      headers: AS_MERCHANT,
      body: order,
    });
    expect(answer).toMatchObject({
      status: 409,
      body: {
        error: 'merchant_order_no_conflict',
        message: 'merchantOrderNo M-1 was already submitted with a different phone, amount, speed or notifyUrl',
      },
    });
  });

  it('answers 402 with the cost and balance when the balance is short', async () => {
    const answer = await withSubmit({
      kind: 'insufficient-balance',
      costFen: 4925,
      balanceFen: 100n,
      creditLimitFen: 0n,
    }).api.request('/orders', {
      method: 'POST',
      headers: AS_MERCHANT,
      body: order,
    });
    expect(answer).toMatchObject({
      status: 402,
      body: {
        error: 'insufficient_balance',
        message: 'The order costs 4925 fen and the balance is 100 fen; nothing was stored. Top up and submit again.',
      },
    });
  });

  it.each([
    [{ kind: 'unknown-segment' }, 'unknown_segment', "The number segment table does not know this number's segment"],
    [
      { kind: 'product-unavailable', carrier: 'CMCC', province: '江苏', virtual: false },
      'product_unavailable',
      'Nothing on sale for CMCC numbers of 江苏 at this face value and speed',
    ],
    [
      { kind: 'product-unavailable', carrier: 'CUCC', province: '北京', virtual: true },
      'product_unavailable',
      "This is a virtual operator's number (hosted by CUCC)",
    ],
    [{ kind: 'number-blocked' }, 'number_blocked', 'This number may not be topped up'],
    [
      { kind: 'number-limit-exceeded', usage: { orders: 10, amountYuan: 500, maxOrders: 10, maxAmountYuan: 1000 } },
      'number_limit_exceeded',
      'This number has 10 orders for 500 yuan in the last 24 hours; at most 10 orders and 1000 yuan are allowed',
    ],
  ] as const)(
    'answers %o with 422 %s, saying nothing was stored, and counts the refusal by its code',
    async (result, error, message) => {
      const { api } = withSubmit(result);
      const answer = await api.request('/orders', { method: 'POST', headers: AS_MERCHANT, body: order });
      expect(answer.status).toBe(422);
      expect(answer.body.error).toBe(error);
      expect(answer.body.message).toContain(message);
      expect(answer.body.message).toContain('nothing was stored');
      const metrics = await (await api.app.request('/metrics')).text();
      expect(metrics).toContain(`orders_refused_total{reason="${error}"} 1`);
    },
  );

  it('reports the steps the service times as Server-Timing', async () => {
    const submit: OrderService['submit'] = async (_merchant, _request, time) => {
      await time?.('db', 'order insert and debit', async () => undefined);
      await time?.('workflow', 'workflow start', async () => undefined);
      return { kind: 'accepted', order: orderRow() };
    };
    const answer = await fakeApp({ orderService: stub<OrderService>('orderService', { submit }) }).request('/orders', {
      method: 'POST',
      headers: AS_MERCHANT,
      body: order,
    });
    expect(answer.headers.get('server-timing')).toMatch(
      /db;dur=[\d.]+;desc="order insert and debit",\s*workflow;dur=[\d.]+;desc="workflow start",\s*total;dur=[\d.]+/,
    );
  });

  it('answers 500 without details when the service fails', async () => {
    const submit = async () => {
      throw new Error('connection refused 10.0.0.5:5432');
    };
    const answer = await fakeApp({ orderService: stub<OrderService>('orderService', { submit }) }).request('/orders', {
      method: 'POST',
      headers: AS_MERCHANT,
      body: order,
    });
    expect(answer).toMatchObject({ status: 500, body: { error: 'internal_error' } });
    expect(JSON.stringify(answer.body)).not.toContain('10.0.0.5');
  });
});

describe('GET /orders: the merchant reads its own orders', () => {
  it('finds an order by merchantOrderNo, with its money, among the caller’s orders only', async () => {
    const findByMerchantOrderNo = vi.fn<OrderService['findByMerchantOrderNo']>(async () => ({
      order: orderRow(),
      money: [debitEntry],
    }));
    const api = fakeApp({ orderService: stub<OrderService>('orderService', { findByMerchantOrderNo }) });
    const answer = await api.request('/orders?merchantOrderNo=M-1', { headers: AS_MERCHANT });
    expect(findByMerchantOrderNo).toHaveBeenCalledWith(MERCHANT.id, 'M-1');
    expect(answer).toMatchObject({
      status: 200,
      body: {
        orderId: ORDER_ID,
        money: [{ entryId: '7', type: 'ORDER_DEBIT', amountFen: -4925, balanceAfterFen: 95075 }],
      },
    });
    expect(answer.body).not.toHaveProperty('history');
  });

  it('answers 404 for a merchantOrderNo it does not have', async () => {
    const api = fakeApp({
      orderService: stub<OrderService>('orderService', { findByMerchantOrderNo: async () => undefined }),
    });
    expect(await api.request('/orders?merchantOrderNo=M-2', { headers: AS_MERCHANT })).toMatchObject({
      status: 404,
      body: { error: 'order_not_found', message: 'No order with merchantOrderNo M-2' },
    });
  });

  it('shows an own order with its history and money, and 404 for any other', async () => {
    const findOwn = vi.fn<OrderService['findOwn']>(async (merchantId) =>
      merchantId === MERCHANT.id
        ? { kind: 'found', story: { order: orderRow(), history: [submittedEvent], money: [debitEntry] }, version: 'v1' }
        : undefined,
    );
    const api = fakeApp({ orderService: stub<OrderService>('orderService', { findOwn }) });
    const answer = await api.request(`/orders/${ORDER_ID}`, { headers: AS_MERCHANT });
    expect(findOwn).toHaveBeenCalledWith(MERCHANT.id, ORDER_ID, []);
    expect(answer.headers.get('etag')).toBe('"v1"');
    expect(answer.body).toMatchObject({
      orderId: ORDER_ID,
      history: [{ key: 'submitted', type: 'submitted', detail: { amountYuan: 50 }, at: '2026-11-23T12:00:00.000Z' }],
      money: [{ entryId: '7' }],
    });

    const none = fakeApp({ orderService: stub<OrderService>('orderService', { findOwn: async () => undefined }) });
    expect(await none.request(`/orders/${ORDER_ID}`, { headers: AS_MERCHANT })).toMatchObject({
      status: 404,
      body: { error: 'order_not_found', message: `No order ${ORDER_ID}` },
    });
  });

  it('answers a poll naming the current version with 304 and no body, passing on every tag it names', async () => {
    const findOwn = vi.fn<OrderService['findOwn']>(async () => ({ kind: 'not-modified', version: 'v2' }));
    const api = fakeApp({ orderService: stub<OrderService>('orderService', { findOwn }) });
    const answer = await api.request(`/orders/${ORDER_ID}`, {
      headers: { ...AS_MERCHANT, 'if-none-match': '"v1", W/"v2", junk' },
    });
    expect(findOwn).toHaveBeenCalledWith(MERCHANT.id, ORDER_ID, ['v1', 'v2']);
    expect(answer.status).toBe(304);
    expect(answer.headers.get('etag')).toBe('"v2"');
    expect(answer.body).toBeUndefined();
  });

  const liveCases: [LiveStateResult, number, Record<string, unknown>][] = [
    [{ kind: 'not-found' }, 404, { error: 'order_not_found', message: `No order ${ORDER_ID}` }],
    [
      { kind: 'unavailable' },
      503,
      { error: 'workflow_unavailable', message: expect.stringContaining('cannot answer now') },
    ],
    [
      {
        kind: 'live',
        state: {
          orderId: ORDER_ID,
          merchantOrderNo: 'M-1',
          status: 'PROCESSING',
          round: 1,
          attempts: [],
          timeline: [],
        },
      },
      200,
      { orderId: ORDER_ID, status: 'PROCESSING', round: 1, attempts: [], timeline: [] },
    ],
  ];
  it.each(liveCases)('answers the live state %j as %i', async (result, status, body) => {
    const liveState = vi.fn<OrderService['liveState']>(async () => result);
    const api = fakeApp({ orderService: stub<OrderService>('orderService', { liveState }) });
    expect(await api.request(`/orders/${ORDER_ID}/live`, { headers: AS_MERCHANT })).toMatchObject({ status, body });
    expect(liveState).toHaveBeenCalledWith(MERCHANT.id, ORDER_ID);
  });
});
