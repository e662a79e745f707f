import { describe, expect, it } from 'vitest';
import { sign } from '../../src/util/signature.ts';
import { ADMIN, MERCHANT, guardedApp } from './guarded-app.ts';

const order = { merchantOrderNo: 'M-1', phone: '13812345678', amount: 50 };
const storeMessage = 'must not contain NUL (\\u0000) or unpaired surrogates';

describe('JSON body guard: every body is UTF-8 JSON whose strings PostgreSQL can store', () => {
  it.each([
    ['a NUL in a field', { ...order, merchantOrderNo: 'M\u0000' }, 'merchantOrderNo'],
    ['a NUL deep inside an extra field', { ...order, extra: [{ deep: ['ok', 'bad\u0000'] }] }, 'extra.0.deep.1'],
    ['a lone high surrogate', { ...order, notifyUrl: 'https://x.test/\uD800' }, 'notifyUrl'],
    ['a lone low surrogate', { ...order, phone: '\uDC00' }, 'phone'],
    ['a NUL in a key', { ...order, 'k\u0000': 1 }, '"k\\u0000"'],
  ])('refuses %s with 400 naming the field', async (_, body, field) => {
    const api = guardedApp();
    const { status, body: answer } = await api.request('/orders', { method: 'POST', headers: MERCHANT, body });
    expect({ status, body: answer }).toEqual({
      status: 400,
      body: { error: 'invalid_request', message: `Invalid ${field}`, fields: [{ field, message: storeMessage }] },
    });
    expect(api.touched).toEqual([]);
  });

  it('accepts characters outside the BMP (a surrogate pair is one character)', async () => {
    const api = guardedApp();
    const answer = await api.request('/admin/merchants', {
      method: 'POST',
      headers: ADMIN,
      body: { name: '😀 shop', rates: { CMCC: 7 } },
    });
    expect(answer.status).toBe(400); // refused by the schema (the rates), not by the guard
    expect(answer.body.fields.map((f: { field: string }) => f.field)).toEqual([
      'rates.CMCC',
      'rates.CUCC',
      'rates.CTCC',
    ]);
  });

  it.each([
    ['malformed JSON', '{"merchantOrderNo": ', 'malformed JSON'],
    [
      'bytes that are not UTF-8',
      new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
      'is not valid UTF-8',
    ],
    ['a lone surrogate escaped in the JSON text', '{"merchantOrderNo":"\\ud800"}', storeMessage],
    ['a NUL escaped in the JSON text', '{"phone":"\\u0000"}', storeMessage],
  ])('refuses %s with 400', async (_, body, message) => {
    const api = guardedApp();
    const answer = await api.request('/orders', { method: 'POST', headers: MERCHANT, body });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request', fields: [{ message }] });
    expect(api.touched).toEqual([]);
  });

  it('refuses a body of another media type with 415, on every route', async () => {
    const api = guardedApp();
    for (const [path, headers] of [
      ['/orders', MERCHANT],
      ['/admin/reconciliations', ADMIN],
      ['/callbacks/carrier', {}],
    ] as const) {
      const { status, body: answer } = await api.request(path, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'text/plain' },
        body: '{}',
      });
      expect({ status, body: answer }).toEqual({
        status: 415,
        body: { error: 'unsupported_media_type', message: expect.any(String) },
      });
    }
    expect(api.touched).toEqual([]);
  });

  it('survives JSON nested 8,000 deep (the schema refuses it, nothing crashes)', async () => {
    const api = guardedApp();
    const answer = await api.request('/orders', {
      method: 'POST',
      headers: MERCHANT,
      body: `${'['.repeat(8_000)}${']'.repeat(8_000)}`,
    });
    expect(answer.status).toBe(400);
    expect(api.touched).toEqual([]);
  });

  it('refuses a correctly signed carrier callback holding NUL with 400 (it never reaches the database)', async () => {
    const api = guardedApp();
    const body = JSON.stringify({
      orderId: '5b0f4c3e-7a52-4b8e-9d3c-1f2e3a4b5c6d',
      carrierOrderId: 'C\u0000',
      status: 'SUCCESS',
      timestamp: '2026-11-23T12:00:00Z',
    });
    const answer = await api.request('/callbacks/carrier', {
      method: 'POST',
      headers: { 'X-Signature': sign('unit-callback-secret', body) },
      body,
    });
    expect(answer).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', fields: [{ field: 'carrierOrderId', message: storeMessage }] },
    });
    expect(api.touched).toEqual([]);
  });

  it('answers 400, not 500, when the client stops sending its body halfway', async () => {
    const api = guardedApp();
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"merchantOrderNo":'));
        // What Node's HTTP server makes of a connection closed mid-body.
        controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      },
    });
    const response = await api.app.request('/orders', {
      method: 'POST',
      headers: { ...MERCHANT, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'request_aborted', message: expect.any(String) });
    expect(api.touched).toEqual([]);
  });
});
