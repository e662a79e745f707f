import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/util/signature.ts';
import { createOrderDispatcher } from '../../src/orders/order-dispatcher.ts';
import { orderWorkflowId } from '../../src/shared/order-workflow.ts';
import { CALLBACK_SECRET, HEALTHY_CARRIER, eventually, insertOrder, startStack, type Stack } from './harness.ts';
import { untypedJson } from '../untyped-json.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ carrierTimeoutMs: 1_000 });
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(() => {
  stack.simulator.configure(HEALTHY_CARRIER);
});

const newOrderNo = () => `M${randomUUID().replaceAll('-', '').slice(0, 20)}`;

/** Requests as the stack's merchant (its key is ignored by the carrier's callback endpoint). */
function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...stack.merchant.headers, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const get = (path: string) => fetch(`${stack.apiUrl}${path}`, { headers: stack.merchant.headers });
/** JSON bodies under test, asserted field by field. */
const json = untypedJson;
const submit = (body: Record<string, unknown>) => post('/orders', body);
function signedCallback(body: Record<string, unknown>, secret = CALLBACK_SECRET) {
  const raw = JSON.stringify(body);
  return post('/callbacks/carrier', raw, { 'X-Signature': sign(secret, raw) });
}

/** Waits for the order's workflow to finish (an event, not a sleep), then returns the order view. */
async function finished(orderId: string) {
  await (await stack.workflowOf(orderId)).result();
  return json(await get(`/orders/${orderId}`));
}

describe('order path over HTTP: API, worker, Temporal, carrier, PostgreSQL', () => {
  it('submits an order, takes the signed carrier callback, and shows the final view', async () => {
    const merchantOrderNo = newOrderNo();
    const response = await submit({ merchantOrderNo, phone: '13812345678', amount: 50 });
    expect(response.status).toBe(202);
    // Where the submission spent its time, for whoever looks into a slow one.
    // The answer waits on the database only: the workflow starts after it.
    expect(response.headers.get('server-timing')).toMatch(
      /^db;dur=[\d.]+;desc="order insert and debit",\s*total;dur=[\d.]+;desc="Total Response Time"$/,
    );
    const accepted = await json(response);
    expect(accepted).toMatchObject({ merchantOrderNo, carrier: 'CMCC', amountYuan: 50, status: 'PENDING' });
    const early = (await get(`/orders/${accepted.orderId}`)).headers.get('etag');

    const view = await finished(accepted.orderId);
    expect(view).toMatchObject({
      orderId: accepted.orderId,
      status: 'SUCCEEDED',
      carrierOrderId: expect.stringMatching(/^C/),
    });
    // Merchants poll conditionally: the order changed since the early read; now unchanged, a 304 without a body.
    const current = await get(`/orders/${accepted.orderId}`);
    const etag = current.headers.get('etag') as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}\.\d+\.\d+"$/);
    expect(etag).not.toBe(early);
    const poll = (tag: string) =>
      fetch(`${stack.apiUrl}/orders/${accepted.orderId}`, {
        headers: { ...stack.merchant.headers, 'if-none-match': tag },
      });
    const unchanged = await poll(etag);
    expect([unchanged.status, await unchanged.text()]).toEqual([304, '']);
    expect((await poll(early as string)).status).toBe(200);
    // The engine's least work: the first supplier came with the workflow's input and the submit activity wrote
    // the acceptance, so the one local activity (a marker) is the final status's write, with one upsert.
    const events = (await (await stack.workflowOf(accepted.orderId)).fetchHistory()).events ?? [];
    expect(events.filter((event) => event.markerRecordedEventAttributes)).toHaveLength(1);
    expect(events.filter((event) => event.upsertWorkflowSearchAttributesEventAttributes)).toHaveLength(1);
    expect(view.history.map((e: { type: string }) => e.type)).toEqual([
      'submitted',
      'carrier-accepted',
      'callback-received',
      'finished',
    ]);
    const byNumber = await json(await get(`/orders?merchantOrderNo=${merchantOrderNo}`));
    expect(byNumber).toMatchObject({ orderId: accepted.orderId, status: 'SUCCEEDED' });
    const raw = await stack.prisma.carrierCallback.findMany({ where: { orderId: accepted.orderId } });
    expect(raw).toHaveLength(1);
    // The supplier's callback names the attempt's request id: the order id and the attempt number.
    expect(JSON.parse(raw[0]!.rawBody)).toMatchObject({ orderId: `${accepted.orderId}-1`, status: 'SUCCESS' });
  });

  it('returns the same order for a repeated submission and 409 for the same number with another body', async () => {
    const body = { merchantOrderNo: newOrderNo(), phone: '18612345678', amount: 100 };
    const first = await json(await submit(body));
    const again = await submit(body);
    expect(again.status).toBe(200);
    expect((await json(again)).orderId).toBe(first.orderId);
    const conflict = await submit({ ...body, amount: 200 });
    expect(conflict.status).toBe(409);
    expect(await json(conflict)).toMatchObject({ error: 'merchant_order_no_conflict' });
    expect(await stack.prisma.order.count({ where: { merchantOrderNo: body.merchantOrderNo } })).toBe(1);
    await finished(first.orderId);
  });

  it('gives one order, one workflow and one carrier charge for 50 concurrent duplicate submissions', async () => {
    const body = { merchantOrderNo: newOrderNo(), phone: '18912345678', amount: 30 };
    const chargesBefore = stack.simulator.stats().charges;
    const responses = await Promise.all(Array.from({ length: 50 }, () => submit(body)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const orderIds = new Set(await Promise.all(responses.map(async (r) => (await json(r)).orderId)));
    expect(orderIds.size).toBe(1);
    const [orderId] = [...orderIds] as [string];

    expect(await finished(orderId)).toMatchObject({ status: 'SUCCEEDED' });
    expect(stack.simulator.stats().charges - chargesBefore).toBe(1);
    const runs = await eventually(async () => {
      const found = [];
      for await (const execution of stack.env.client.workflow.list({
        query: `WorkflowId = '${orderWorkflowId(orderId)}'`,
      }))
        found.push(execution);
      return found.length > 0 ? found : undefined;
    });
    expect(runs).toHaveLength(1);
  });

  it('never charges twice when the carrier takes the order but the answer times out', async () => {
    // The first answer hangs past the client's 1 s timeout; the callback comes after the retry.
    stack.simulator.configure({ timeoutRate: 1, hangMs: 3_000, callbackMinDelayMs: 4_000, callbackMaxDelayMs: 4_500 });
    const chargesBefore = stack.simulator.stats().charges;
    const requestsBefore = stack.simulator.stats().requests;
    const { orderId } = await json(await submit({ merchantOrderNo: newOrderNo(), phone: '13912345678', amount: 20 }));
    const view = await finished(orderId);
    expect(view.status).toBe('SUCCEEDED');
    const history = view.history as { key: string; type: string; detail: Record<string, unknown> }[];
    // Keyed round:attempt:try: the first try of the first attempt failed.
    expect(history.map((e) => `${e.key} ${e.type}`)).toContain('attempt:1:1:1 carrier-attempt-failed');
    // The second try's answer, written by the workflow (the only writer of an order's status).
    expect(history.filter((e) => e.type === 'carrier-accepted').map((e) => e.detail)).toEqual([
      expect.objectContaining({ round: 1, attempt: 1, tries: 2 }),
    ]);
    expect(stack.simulator.stats().charges - chargesBefore).toBe(1);
    // The retry asked the status endpoint instead of sending the recharge again.
    expect(stack.simulator.stats().requests - requestsBefore).toBe(1);
  });

  it('ends FAILED with the carrier reason when the carrier refuses', async () => {
    stack.simulator.configure({ refusalRate: 1 });
    const { orderId } = await json(await submit({ merchantOrderNo: newOrderNo(), phone: '13312345678', amount: 10 }));
    expect(await finished(orderId)).toMatchObject({ status: 'FAILED', failureReason: 'number not in service' });
  });

  it('answers 200 to a repeated callback after the order is final and changes nothing', async () => {
    const { orderId } = await json(await submit({ merchantOrderNo: newOrderNo(), phone: '13812345678', amount: 50 }));
    const view = await finished(orderId);
    const late = {
      orderId,
      carrierOrderId: view.carrierOrderId,
      status: 'FAILED',
      reason: 'late',
      timestamp: new Date().toISOString(),
    };
    const response = await signedCallback(late);
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ received: true, applied: false });
    const after = await json(await get(`/orders/${orderId}`));
    expect(after.status).toBe('SUCCEEDED');
    expect(after.history.filter((e: { type: string }) => e.type === 'finished')).toHaveLength(1);
  });

  it('refuses a forged or unsigned callback with 401 and changes nothing', async () => {
    const order = await insertOrder(stack.orders, stack.merchant.id);
    const body = {
      orderId: order.id,
      carrierOrderId: 'C-forged',
      status: 'SUCCESS',
      timestamp: new Date().toISOString(),
    };
    expect((await signedCallback(body, 'not-the-carrier-secret')).status).toBe(401);
    expect((await post('/callbacks/carrier', body)).status).toBe(401);
    expect((await post('/callbacks/carrier', body, { 'X-Signature': 'zz' })).status).toBe(401);
    const after = await stack.orders.findById(order.id);
    expect(after).toMatchObject({ status: 'PENDING', carrierOrderId: null });
    expect(await stack.orders.findStory(order.id).then((story) => story?.history ?? [])).toHaveLength(1);
    expect(await stack.prisma.carrierCallback.count({ where: { orderId: order.id } })).toBe(0);
  });

  it('answers 404 to a signed callback for an unknown order and 400 to a malformed one', async () => {
    expect(
      (
        await signedCallback({
          orderId: 'no-such-order',
          carrierOrderId: 'C1',
          status: 'SUCCESS',
          timestamp: new Date().toISOString(),
        })
      ).status,
    ).toBe(404);
    const malformed = await signedCallback({ orderId: 'x', status: 'DONE' });
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).fields.map((f: { field: string }) => f.field)).toEqual(
      expect.arrayContaining(['status', 'carrierOrderId', 'timestamp']),
    );
  });

  it('rejects bad order input with a 4xx naming the problem, and stores nothing', async () => {
    const merchantOrderNo = newOrderNo();
    const cases: [unknown, number, string?][] = [
      [{ merchantOrderNo, phone: '1381234567', amount: 50 }, 400, 'phone'],
      [{ merchantOrderNo, phone: '13812345678', amount: 15 }, 400, 'amount'],
      [{ merchantOrderNo, phone: '13812345678', amount: '50' }, 400, 'amount'],
      [{ merchantOrderNo, phone: '12812345678', amount: 50 }, 400, 'phone'], // 128: not a mobile number
      [{ merchantOrderNo, phone: '17012345678', amount: 50 }, 422], // 170: a virtual operator's, not sold
      [{ merchantOrderNo, phone: '13812345678', amount: 50, notifyUrl: 'ftp://x' }, 400, 'notifyUrl'],
      [{ phone: '13812345678', amount: 50 }, 400, 'merchantOrderNo'],
      ['{"merchantOrderNo": ', 400],
      [{ merchantOrderNo, phone: '13812345678', amount: 50, pad: 'x'.repeat(20_000) }, 413],
    ];
    for (const [body, status, field] of cases) {
      const response = await submit(body as Record<string, unknown>);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      const problem = await json(response);
      expect(problem.message).toEqual(expect.any(String));
      if (field) expect(problem.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    const plain = await fetch(`${stack.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...stack.merchant.headers },
      body: JSON.stringify({ merchantOrderNo, phone: '13812345678', amount: 50 }),
    });
    expect(plain.status).toBe(415);
    expect((await get('/no-such-route')).status).toBe(404);
    expect((await get(`/orders/${randomUUID()}`)).status).toBe(404);
    expect((await get(`/orders?merchantOrderNo=${merchantOrderNo}`)).status).toBe(404);
    expect(await stack.prisma.order.count({ where: { merchantOrderNo } })).toBe(0);
  });

  it('answers 503 (so the carrier re-sends) to a callback for an open order whose workflow is not running, keeping the raw record', async () => {
    const order = await insertOrder(stack.orders, stack.merchant.id);
    const response = await signedCallback({
      orderId: order.id,
      carrierOrderId: 'C-early',
      status: 'SUCCESS',
      timestamp: new Date().toISOString(),
    });
    expect(response.status).toBe(503);
    expect((await stack.orders.findById(order.id))?.status).toBe('PENDING');
    expect(await stack.prisma.carrierCallback.count({ where: { orderId: order.id } })).toBe(1);
  });

  it('starts the workflow of an order whose start was lost (crash between insert and start)', async () => {
    const order = await insertOrder(stack.orders, stack.merchant.id, { phone: '15012345678' });
    expect((await stack.orders.findById(order.id))?.workflowStartedAt).toBeNull();
    const dispatcher = createOrderDispatcher({
      orders: stack.orders,
      temporal: stack.env.client,
      slaSeconds: stack.slaSeconds,
      logger: stack.logger,
    });
    expect(await dispatcher.drain({ graceMs: 0, batchSize: 100 })).toBeGreaterThanOrEqual(1);
    expect((await stack.orders.findById(order.id))?.workflowStartedAt).toBeInstanceOf(Date);
    expect(await dispatcher.drain({ graceMs: 0, batchSize: 100 })).toBe(0); // nothing left to start
    expect(await finished(order.id)).toMatchObject({ status: 'SUCCEEDED' });
  });
});
