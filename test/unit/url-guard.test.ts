import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { urlGuard } from '../../src/api/url-guard.ts';
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
    const { status, body: answer } = await api.request(path, { headers });
    expect({ status, body: answer }).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        message: expect.any(String),
        fields: [{ field, message: 'must be valid percent-encoded UTF-8 without NUL' }],
      },
    });
    expect(api.touched).toEqual([]);
  });

  it('comes before authentication and before any body is read', async () => {
    const api = guardedApp();
    const answer = await api.request('/admin/orders/%00/resolve', { method: 'POST', body: 'not json' });
    expect(answer).toMatchObject({ status: 400, body: { fields: [{ field: 'path' }] } });
  });

  it('lets well-formed UTF-8 through to the handler, decoded, multi-byte and reserved characters included', async () => {
    const app = new Hono()
      .use(urlGuard())
      .get('/echo/:name', (c) => c.json({ name: c.req.param('name'), query: c.req.queries() }));
    const answer = await app.request('/echo/%E4%BD%A0%E5%A5%BD?q=%F0%9F%98%80&r=a%2Fb+c');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ name: '你好', query: { q: ['😀'], r: ['a/b c'] } });
  });
});
