import { describe, expect, it } from 'vitest';
import { ADMIN, AS_MERCHANT, ORDER_ID, fakeApp } from './fake-app.ts';

const allowed = (header: string | null) => (header ?? '').split(', ').sort();

describe('a method a path does not serve', () => {
  it.each([
    ['PATCH', '/orders', AS_MERCHANT, ['GET', 'HEAD', 'OPTIONS', 'POST']],
    ['PROPFIND', '/balance', AS_MERCHANT, ['GET', 'HEAD', 'OPTIONS']],
    ['DELETE', `/orders/${ORDER_ID}`, AS_MERCHANT, ['GET', 'HEAD', 'OPTIONS']],
    ['PUT', '/admin/suppliers/sim', ADMIN, ['GET', 'HEAD', 'OPTIONS', 'PATCH']],
    ['GET', '/admin/reconciliations', ADMIN, ['OPTIONS', 'POST']],
    ['POST', '/healthz', {}, ['GET', 'HEAD', 'OPTIONS']],
  ])('%s %s → 405 with Allow naming the methods it serves', async (method, path, headers, methods) => {
    const { status, headers: answered, body } = await fakeApp().request(path, { method, headers });
    expect(status).toBe(405);
    expect(allowed(answered.get('allow'))).toEqual(methods);
    expect(body).toMatchObject({ error: 'method_not_allowed', message: expect.stringContaining(path) });
  });

  it('answers OPTIONS with 204 and Allow', async () => {
    const { status, headers } = await fakeApp().request('/orders', { method: 'OPTIONS', headers: AS_MERCHANT });
    expect(status).toBe(204);
    expect(allowed(headers.get('allow'))).toEqual(['GET', 'HEAD', 'OPTIONS', 'POST']);
  });

  it('still answers 404 where no method is served, and authenticates before anything is said about a protected path', async () => {
    expect((await fakeApp().request('/nowhere', { method: 'PUT' })).status).toBe(404);
    expect((await fakeApp().request('/orders', { method: 'PUT' })).status).toBe(401);
    expect((await fakeApp().request('/admin/suppliers/sim', { method: 'PUT' })).status).toBe(401);
  });
});
