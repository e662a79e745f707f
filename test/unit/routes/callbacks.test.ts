import { describe, expect, it, vi } from 'vitest';
import type { CallbackResult, CallbackService } from '../../../src/orders/callback-service.ts';
import { sign } from '../../../src/util/signature.ts';
import { CALLBACK_SECRET, ORDER_ID, fakeApp, stub } from './fake-app.ts';

const now = new Date().toISOString();
const callback = { orderId: ORDER_ID, carrierOrderId: 'C-1', status: 'SUCCESS', timestamp: now };
// Key order and spacing the route must not normalise: the signature covers these exact bytes.
const raw = `{"status":"SUCCESS", "orderId":"${ORDER_ID}","carrierOrderId":"C-1","timestamp":"${now}"}`;

function withReceive(result: CallbackResult) {
  const receive = vi.fn<CallbackService['receive']>(async () => result);
  const refuse = vi.fn<CallbackService['refuse']>(async () => undefined);
  return {
    receive,
    refuse,
    api: fakeApp({ callbackService: stub<CallbackService>('callbackService', { receive, refuse }) }),
  };
}
const post = (api: ReturnType<typeof fakeApp>, body: string, headers: Record<string, string> = {}) =>
  api.request('/callbacks/carrier', { method: 'POST', headers, body });

describe('POST /callbacks/carrier: replay window', () => {
  const signedAt = (offsetSeconds: number) => {
    const body = JSON.stringify({ ...callback, timestamp: new Date(Date.now() + offsetSeconds * 1000).toISOString() });
    return [body, { 'X-Signature': sign(CALLBACK_SECRET, body) }] as const;
  };

  it.each([
    ['more than 5 minutes old', -301, /is 301 s old; callbacks are accepted within 300 s/],
    ['more than 5 minutes ahead', 400, /is 400 s ahead of our clock/],
  ])('refuses a signed callback %s with 401, records it as refused, and never hands it on', async (_, offset, why) => {
    const { receive, refuse, api } = withReceive({ kind: 'forwarded' });
    const answer = await post(api, ...signedAt(offset));
    expect(answer).toMatchObject({ status: 401, body: { error: 'stale_callback' } });
    expect(answer.body.message).toMatch(why);
    expect(refuse).toHaveBeenCalledWith(
      expect.objectContaining({ callback: expect.objectContaining({ orderId: ORDER_ID }) }),
      answer.body.message,
    );
    expect(receive).not.toHaveBeenCalled();
  });

  it('takes a callback within the window', async () => {
    const { receive, refuse, api } = withReceive({ kind: 'forwarded' });
    expect((await post(api, ...signedAt(-290))).status).toBe(200);
    expect(receive).toHaveBeenCalledOnce();
    expect(refuse).not.toHaveBeenCalled();
  });
});

describe('POST /callbacks/carrier: request contract', () => {
  it.each([
    ['no signature', {}],
    ['a signature made with another secret', { 'X-Signature': sign('not-the-carrier-secret', raw) }],
    ['a signature that is not hex', { 'X-Signature': 'zz' }],
    ['the signature of another body', { 'X-Signature': sign(CALLBACK_SECRET, JSON.stringify(callback)) }],
  ])('refuses %s with 401 and never hands the callback on', async (_, headers) => {
    const { receive, api } = withReceive({ kind: 'forwarded' });
    expect(await post(api, raw, headers)).toMatchObject({
      status: 401,
      body: { error: 'invalid_signature', message: 'X-Signature must be the hex HMAC-SHA256 of the raw body' },
    });
    expect(receive).not.toHaveBeenCalled();
  });

  it('refuses a correctly signed body that breaks the callback schema with 400 naming the fields', async () => {
    const { receive, api } = withReceive({ kind: 'forwarded' });
    const body = JSON.stringify({ orderId: ORDER_ID, status: 'DONE' });
    const answer = await post(api, body, { 'X-Signature': sign(CALLBACK_SECRET, body) });
    expect(answer.status).toBe(400);
    expect(answer.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'carrierOrderId',
      'status',
      'timestamp',
    ]);
    expect(receive).not.toHaveBeenCalled();
  });

  it('refuses correctly signed malformed JSON with 400', async () => {
    const { receive, api } = withReceive({ kind: 'forwarded' });
    const body = '{"orderId":';
    expect(await post(api, body, { 'X-Signature': sign(CALLBACK_SECRET, body) })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', fields: [{ field: '(body)', message: 'malformed JSON' }] },
    });
    expect(receive).not.toHaveBeenCalled();
  });

  it('hands the parsed callback on with the exact raw body and its signature', async () => {
    const { receive, api } = withReceive({ kind: 'forwarded' });
    const signature = sign(CALLBACK_SECRET, raw);
    await post(api, raw, { 'X-Signature': signature });
    expect(receive).toHaveBeenCalledWith({ callback, rawBody: raw, signature });
  });
});

describe('POST /callbacks/carrier: each result as HTTP', () => {
  const signed = { 'X-Signature': sign(CALLBACK_SECRET, raw) };

  it('answers 200 applied when the workflow took it', async () => {
    expect(await post(withReceive({ kind: 'forwarded' }).api, raw, signed)).toMatchObject({
      status: 200,
      body: { received: true, applied: true },
    });
  });

  it('answers 200 not applied for a decided order, saying whether it was flagged for review', async () => {
    for (const flaggedForReview of [true, false]) {
      const answer = await post(
        withReceive({ kind: 'already-decided', status: 'FAILED', flaggedForReview }).api,
        raw,
        signed,
      );
      expect(answer).toMatchObject({
        status: 200,
        body: { received: true, applied: false, reason: 'order already FAILED', flaggedForReview },
      });
    }
  });

  it('answers 503 for an open order whose workflow is not running, so the carrier re-sends', async () => {
    expect(await post(withReceive({ kind: 'workflow-not-running' }).api, raw, signed)).toMatchObject({
      status: 503,
      body: { error: 'order_not_running', message: 'The order is open but its workflow is not running; re-send later' },
    });
  });

  it('answers 404 for an order it does not know', async () => {
    expect(await post(withReceive({ kind: 'order-not-found' }).api, raw, signed)).toMatchObject({
      status: 404,
      body: { error: 'order_not_found', message: `No order ${ORDER_ID}` },
    });
  });
});
