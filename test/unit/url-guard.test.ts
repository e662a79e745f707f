import { describe, expect, it } from 'vitest';
import { ADMIN, MERCHANT, guardedApp } from './guarded-app.ts';

describe('URL guard: a path or query that is not valid UTF-8, or holds NUL, is a 400 on every route', () => {
  const refused = [
    ['/orders/%00', 'path', MERCHANT],
    ['/orders/%C3%28', 'path', MERCHANT],
    ['/orders/%ED%A0%80', 'path', MERCHANT], // an encoded surrogate is not UTF-8
    ['/orders/%zz/live', 'path', MERCHANT],
    ['/orders?merchantOrderNo=%FF', 'query', MERCHANT],
    ['/orders?merchantOrderNo=a%00b', 'query', MERCHANT],
    ['/admin/orders?status=%', 'query', ADMIN],
    ['/admin/merchants/%00/ledger', 'path', ADMIN],
    ['/healthz?probe=%C0%80', 'query', {}], // overlong NUL
    ['/no-such-route/%00', 'path', {}],
  ] as const;

  it.each(refused)('%s → 400 naming the %s', async (path, field, headers) => {
    const api = guardedApp();
    const answer = await api.request(path, { headers });
    expect(answer).toEqual({
      status: 400,
      body: { error: 'invalid_request', message: expect.any(String), fields: [{ field, message: 'must be valid percent-encoded UTF-8 without NUL' }] },
    });
    expect(api.touched).toEqual([]);
  });

  it('comes before authentication and before any body is read', async () => {
    const api = guardedApp();
    const answer = await api.request('/admin/orders/%00/resolve', { method: 'POST', body: 'not json' });
    expect(answer).toMatchObject({ status: 400, body: { fields: [{ field: 'path' }] } });
  });

  it('lets well-formed UTF-8 through, multi-byte and reserved characters included', async () => {
    const api = guardedApp();
    // Past the guard, the route reads the decoded keys (and refuses them as unknown, as every route does).
    const { status, body } = await api.request('/healthz?q=%E4%BD%A0%E5%A5%BD%F0%9F%98%80&r=a%2Fb+c');
    expect(status).toBe(400);
    expect(body.fields).toEqual([
      { field: 'q', message: 'is not a known field' },
      { field: 'r', message: 'is not a known field' },
    ]);
  });
});
