import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpUrl, rate } from '../../src/api/request-schemas.ts';
import { trimmedText } from '../../src/util/storable-text.ts';
import { runs } from '../properties.ts';
import { ADMIN, MERCHANT, guardedApp } from './guarded-app.ts';

const UUID = '5b0f4c3e-7a52-4b8e-9d3c-1f2e3a4b5c6d';

/** Sends one request and returns the fields the 400 names, or the status if it is no 400. */
async function refusedFields(
  path: string,
  headers: Record<string, string>,
  init: { method?: string; body?: unknown } = {},
) {
  const api = guardedApp();
  const { status, body } = await api.request(path, { ...init, headers });
  if (status !== 400) return status;
  expect(body).toMatchObject({ error: 'invalid_request', message: expect.any(String) });
  expect(api.touched).toEqual([]); // refused before any database or Temporal call
  return body.fields.map((f: { field: string }) => f.field);
}

describe('path parameters are checked before any lookup', () => {
  it.each([
    ['/orders/not-a-uuid', MERCHANT],
    ['/orders/1/live', MERCHANT],
    [`/orders/${UUID}x`, MERCHANT],
    ['/admin/orders/%27%20OR%201=1--', ADMIN],
    [`/admin/orders/${UUID.replaceAll('-', '')}/resolve`, ADMIN],
    ['/admin/orders/x/retry', ADMIN],
    ['/admin/orders/x/notifications', ADMIN],
  ])('an order id that is not a UUID: %s → 400', async (path, headers) => {
    const init =
      path.endsWith('resolve') || path.endsWith('retry') || path.endsWith('notifications')
        ? { method: 'POST', body: { operator: 'alice' } }
        : {};
    expect(await refusedFields(path, headers, init)).toEqual(['orderId']);
  });

  it.each(['/admin/merchants/Demo', '/admin/merchants/x/ledger', `/admin/merchants/${'a'.repeat(300)}`])(
    'a merchant id that is neither a UUID nor demo: %s → 400',
    async (path) => {
      expect(await refusedFields(path, ADMIN)).toEqual(['merchantId']);
    },
  );

  it('a merchant id refused on the money routes too, whatever the body', async () => {
    for (const route of ['top-ups', 'adjustments']) {
      expect(
        await refusedFields(`/admin/merchants/1%3B%20DROP%20TABLE%20merchants/${route}`, ADMIN, {
          method: 'POST',
          body: { amountFen: 1, note: 'x', requestId: 'r', operator: 'a' },
        }),
      ).toEqual(['merchantId']);
    }
  });

  it.each([
    'reconciliation-x',
    `reconciliation-daily-${UUID}`,
    'reconciliation-daily-2026-11-23',
    `workflow-${UUID}`,
    'r'.repeat(2000),
  ])('a run id of neither form: %s → 400', async (runId) => {
    expect(await refusedFields(`/admin/reconciliations/${runId}`, ADMIN)).toEqual(['runId']);
  });

  it('lets the real forms through to the lookup (demo, UUIDs, manual and scheduled run ids)', async () => {
    for (const path of [
      '/admin/merchants/demo',
      `/admin/merchants/${UUID}`,
      `/admin/orders/${UUID}`,
      `/admin/reconciliations/reconciliation-${UUID}`,
      '/admin/reconciliations/reconciliation-daily-2026-11-23T19:00:00Z',
    ]) {
      const api = guardedApp();
      await api.request(path, { headers: ADMIN });
      expect(api.touched.length, path).toBeGreaterThan(0);
    }
  });
});

describe('query strings are strict', () => {
  it.each([
    ['/admin/orders?limit=1e2', ['limit']],
    ['/admin/orders?limit=%201', ['limit']],
    ['/admin/orders?limit=0x10', ['limit']],
    ['/admin/orders?limit=0', ['limit']],
    ['/admin/orders?limit=501', ['limit']],
    ['/admin/orders?limit=99999999999999999999', ['limit']],
    ['/admin/orders?olderThanSeconds=-1', ['olderThanSeconds']],
    ['/admin/orders?olderThanSeconds=1.5', ['olderThanSeconds']],
    ['/admin/orders?olderThanSeconds=', ['olderThanSeconds']],
    ['/admin/orders?status=escalated', ['status']],
    ['/admin/orders?needsReview=yes', ['needsReview']],
    ['/admin/orders?limit=1&limit=2', ['limit']],
    ['/admin/orders?olderThan=180&x=1', ['olderThan', 'x']], // an unknown parameter (a typo, say) is not silently ignored
    [`/admin/merchants/${UUID}/ledger?before=-1`, ['before']],
    [`/admin/merchants/${UUID}/ledger?before=9999999999999999999`, ['before']],
    [`/admin/merchants/${UUID}/ledger?limit=abc`, ['limit']],
  ])('%s → 400 naming %j', async (path, fields) => {
    expect(await refusedFields(path, ADMIN)).toEqual(fields);
  });

  it.each([
    ['/orders', ['merchantOrderNo']],
    ['/orders?merchantOrderNo=', ['merchantOrderNo']],
    ['/orders?merchantOrderNo=a%20b', ['merchantOrderNo']],
    [`/orders?merchantOrderNo=${'x'.repeat(65)}`, ['merchantOrderNo']],
    ["/orders?merchantOrderNo=1'%20OR%20'1'='1", ['merchantOrderNo']],
    ['/orders?merchantOrderNo=M1&merchantOrderNo=M2', ['merchantOrderNo']],
  ])('%s → 400 naming %j', async (path, fields) => {
    expect(await refusedFields(path, MERCHANT)).toEqual(fields);
  });

  it('lets valid queries through to the lookup', async () => {
    for (const [path, headers] of [
      ['/admin/orders?status=ESCALATED&olderThanSeconds=180&needsReview=true&limit=20', ADMIN],
      [`/admin/merchants/${UUID}/ledger?limit=20&before=123`, ADMIN],
      ['/orders?merchantOrderNo=M-20261123_001', MERCHANT],
    ] as const) {
      const api = guardedApp();
      await api.request(path, { headers });
      expect(api.touched.length, path).toBeGreaterThan(0);
    }
  });
});

describe('field rules, as the document states them', () => {
  it('takes a rate with at most 6 decimal places, as JSON Schema reads multipleOf, and keeps the decimal', () => {
    expect(rate.parse(0.985)).toBe('0.985');
    expect(rate.parse(2)).toBe('2');
    expect(rate.parse(1.000001)).toBe('1.000001');
    for (let cents = 50; cents <= 200; cents++) expect(rate.parse(cents / 100)).toBe(String(cents / 100)); // 0.9 and 1.1 too
    // 0.5000000000000001 is not a multiple of 0.000001 (validators that divide exactly agree); float-forgiving checks would take it.
    for (const refused of [1.0000001, 0.4999999, 2.000001, 0.5000000000000001, 1.0000000000000002])
      expect(rate.safeParse(refused).success, String(refused)).toBe(false);
  });

  it('trims text, and refuses text that is only whitespace by JavaScript’s own definition', () => {
    expect(trimmedText(10).parse(' \u3000alice\t')).toBe('alice');
    for (const blank of ['', ' ', '\u3000', '\uFEFF', '\u2028\u00A0'])
      expect(trimmedText(5).safeParse(blank).success, JSON.stringify(blank)).toBe(false);
    expect(trimmedText(5).safeParse('abcdef').success).toBe(false); // the limit counts the text as sent
    expect(trimmedText(5).safeParse('😀😀😀😀😀').success).toBe(true); // code points, as JSON Schema counts them
  });

  it('takes every URL its documented pattern admits (a generated client never sends one it refuses)', () => {
    const { pattern, maxLength } = z.toJSONSchema(httpUrl, { io: 'input' }) as { pattern: string; maxLength: number };
    fc.assert(
      fc.property(
        fc.stringMatching(new RegExp(pattern)).filter((url) => [...url].length <= maxLength),
        (url) => {
          expect(httpUrl.safeParse(url).error).toBeUndefined();
        },
      ),
      { numRuns: runs(2_000) },
    );
    for (const refused of [
      'ftp://x.example/',
      'http://1.2.3.999/',
      'http://xn--a/',
      'http://x:0/',
      'HTTP://x/',
      'http://a..b/',
    ])
      expect(httpUrl.safeParse(refused).success, refused).toBe(false);
  });
});
