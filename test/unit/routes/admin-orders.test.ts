import { describe, expect, it, vi } from 'vitest';
import type { OperatorActionResult, OperatorService } from '../../../src/orders/operator-service.ts';
import { ADMIN, AS, ORDER_ID, debitEntry, fakeApp, orderRow, stub, submittedEvent } from './fake-app.ts';

const operatorApp = (methods: Partial<OperatorService>) =>
  fakeApp({ operatorService: stub<OperatorService>('operatorService', methods) });
const resolveBody = { outcome: 'FAILED', note: 'checked with carrier' };

describe('admin orders: authentication', () => {
  it('answers 401 without a token and 403 with a wrong one, and never reaches the service', async () => {
    const list = vi.fn<OperatorService['list']>(async () => []);
    const resolve = vi.fn<OperatorService['resolve']>();
    const api = operatorApp({ list, resolve });
    const missing = await api.request('/admin/orders');
    expect(missing).toMatchObject({ status: 401, body: { error: 'unauthenticated' } });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
    expect(await api.request('/admin/orders', { headers: { authorization: 'Bearer wrong' } })).toMatchObject({
      status: 403,
      body: { error: 'forbidden' },
    });
    const resolveAttempt = await api.request(`/admin/orders/${ORDER_ID}/resolve`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong' },
      body: resolveBody,
    });
    expect(resolveAttempt.status).toBe(403);
    expect(list).not.toHaveBeenCalled();
    expect(resolve).not.toHaveBeenCalled();
  });

  it('lets a viewer read and refuses them an action with 403 naming the role it needs', async () => {
    const list = vi.fn<OperatorService['list']>(async () => []);
    const resolve = vi.fn<OperatorService['resolve']>();
    const api = operatorApp({ list, resolve });
    expect((await api.request('/admin/orders', { headers: AS.viewer })).status).toBe(200);
    const attempt = await api.request(`/admin/orders/${ORDER_ID}/resolve`, {
      method: 'POST',
      headers: AS.viewer,
      body: resolveBody,
    });
    expect(attempt).toMatchObject({
      status: 403,
      body: {
        error: 'role_forbidden',
        message: `vera is a viewer; POST /admin/orders/${ORDER_ID}/resolve needs the operator role`,
      },
    });
    expect(resolve).not.toHaveBeenCalled();
  });
});

describe('admin orders: reads', () => {
  it('lists orders by the parsed filter, limit 100 by default', async () => {
    const list = vi.fn<OperatorService['list']>(async () => [orderRow({ status: 'ESCALATED' })]);
    const api = operatorApp({ list });
    const answer = await api.request('/admin/orders?status=ESCALATED&olderThanSeconds=180&needsReview=false', {
      headers: ADMIN,
    });
    expect(list).toHaveBeenCalledWith({ status: 'ESCALATED', olderThanSeconds: 180, needsReview: false, limit: 100 });
    expect(answer).toMatchObject({ status: 200, body: { orders: [{ orderId: ORDER_ID, status: 'ESCALATED' }] } });
    expect(answer.body.orders[0]).not.toHaveProperty('history');
  });

  it('shows one order with its story, and live null when the workflow cannot answer', async () => {
    const story = { order: orderRow(), history: [submittedEvent], money: [debitEntry] };
    const live = {
      orderId: ORDER_ID,
      merchantOrderNo: 'M-1',
      status: 'ESCALATED' as const,
      round: 1,
      attempts: [],
      timeline: [],
    };
    const answered = await operatorApp({ inspect: async () => ({ ...story, live }) }).request(
      `/admin/orders/${ORDER_ID}`,
      { headers: ADMIN },
    );
    expect(answered).toMatchObject({
      status: 200,
      body: {
        orderId: ORDER_ID,
        history: [{ type: 'submitted' }],
        money: [{ entryId: '7' }],
        live: { status: 'ESCALATED' },
      },
    });
    const silent = await operatorApp({ inspect: async () => ({ ...story, live: undefined }) }).request(
      `/admin/orders/${ORDER_ID}`,
      { headers: ADMIN },
    );
    expect(silent.body.live).toBeNull();
  });

  it('answers 404 for an unknown order', async () => {
    expect(
      await operatorApp({ inspect: async () => undefined }).request(`/admin/orders/${ORDER_ID}`, { headers: ADMIN }),
    ).toMatchObject({
      status: 404,
      body: { error: 'order_not_found', message: `No order ${ORDER_ID}` },
    });
  });
});

describe('admin orders: resolve and retry', () => {
  it.each([
    [{ outcome: 'SUCCESS', note: 'x' }, ['outcome']],
    [{ outcome: 'FAILED', note: '   ' }, ['note']],
    // Who decides is the token's operator: a claimed name is refused, never recorded.
    [{ outcome: 'FAILED', note: 'x', operator: 'mallory' }, ['operator']],
  ])('refuses the resolution %j with 400 naming %j, and never asks the workflow', async (body, fields) => {
    const resolve = vi.fn<OperatorService['resolve']>();
    const answer = await operatorApp({ resolve }).request(`/admin/orders/${ORDER_ID}/resolve`, {
      method: 'POST',
      headers: ADMIN,
      body,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.fields.map((f: { field: string }) => f.field)).toEqual(fields);
    expect(resolve).not.toHaveBeenCalled();
  });

  it('hands the validated decision (trimmed) to the service, as the operator the token names', async () => {
    const resolve = vi.fn<OperatorService['resolve']>(async () => ({
      kind: 'done',
      result: { status: 'FAILED', message: 'resolved FAILED by alice' },
    }));
    const retry = vi.fn<OperatorService['retry']>(async () => ({
      kind: 'done',
      result: { status: 'PROCESSING', message: 'retried' },
    }));
    const api = operatorApp({ resolve, retry });
    await api.request(`/admin/orders/${ORDER_ID}/resolve`, {
      method: 'POST',
      headers: AS.operator,
      body: { ...resolveBody, note: ' checked with carrier ' },
    });
    expect(resolve).toHaveBeenCalledWith(ORDER_ID, { ...resolveBody, operator: 'alice' });
    await api.request(`/admin/orders/${ORDER_ID}/retry`, { method: 'POST', headers: ADMIN, body: {} });
    expect(retry).toHaveBeenCalledWith(ORDER_ID, { operator: 'bootstrap-admin' });
  });

  const results: [OperatorActionResult, number, Record<string, unknown>][] = [
    [
      { kind: 'done', result: { status: 'FAILED', message: 'resolved FAILED by alice' } },
      200,
      { status: 'FAILED', message: 'resolved FAILED by alice' },
    ],
    [
      { kind: 'refused', reason: 'order is already decided: SUCCEEDED (operator)' },
      409,
      { error: 'action_refused', message: 'order is already decided: SUCCEEDED (operator)' },
    ],
    [
      { kind: 'unavailable', waitedSeconds: 15 },
      503,
      {
        error: 'workflow_unavailable',
        message: expect.stringMatching(
          /^The order workflow did not answer within 15 s .*read the order before asking again$/,
        ),
      },
    ],
    [{ kind: 'order-not-found' }, 404, { error: 'order_not_found', message: `No order ${ORDER_ID}` }],
  ];
  it.each(results)('answers %j with %i, for resolve and retry alike', async (result, status, body) => {
    const api = operatorApp({ resolve: async () => result, retry: async () => result });
    expect(
      await api.request(`/admin/orders/${ORDER_ID}/resolve`, { method: 'POST', headers: ADMIN, body: resolveBody }),
    ).toMatchObject({ status, body });
    expect(
      await api.request(`/admin/orders/${ORDER_ID}/retry`, {
        method: 'POST',
        headers: ADMIN,
        body: { note: 'again' },
      }),
    ).toMatchObject({ status, body });
  });
});

describe('admin orders: re-sending the result notification', () => {
  it('answers 202 with the workflow id when started, 409 when refused, 404 for an unknown order', async () => {
    const resendNotification = vi.fn<OperatorService['resendNotification']>(async () => ({
      kind: 'started',
      workflowId: `merchant-notification-${ORDER_ID}`,
    }));
    const send = (api: ReturnType<typeof operatorApp>) =>
      api.request(`/admin/orders/${ORDER_ID}/notifications`, {
        method: 'POST',
        headers: AS.operator,
        body: { note: 'lost it' },
      });
    expect(await send(operatorApp({ resendNotification }))).toMatchObject({
      status: 202,
      body: { workflowId: `merchant-notification-${ORDER_ID}` },
    });
    expect(resendNotification).toHaveBeenCalledWith(ORDER_ID, { operator: 'alice', note: 'lost it' });
    expect(
      await send(
        operatorApp({ resendNotification: async () => ({ kind: 'refused', reason: 'the order has no notifyUrl' }) }),
      ),
    ).toMatchObject({
      status: 409,
      body: { error: 'action_refused', message: 'the order has no notifyUrl' },
    });
    expect(await send(operatorApp({ resendNotification: async () => ({ kind: 'order-not-found' }) }))).toMatchObject({
      status: 404,
      body: { error: 'order_not_found' },
    });
  });

  it('refuses a request that claims an operator with 400', async () => {
    const resendNotification = vi.fn<OperatorService['resendNotification']>();
    const answer = await operatorApp({ resendNotification }).request(`/admin/orders/${ORDER_ID}/notifications`, {
      method: 'POST',
      headers: AS.operator,
      body: { note: 'x', operator: 'mallory' },
    });
    expect(answer).toMatchObject({ status: 400, body: { fields: [{ field: 'operator' }] } });
    expect(resendNotification).not.toHaveBeenCalled();
  });
});
