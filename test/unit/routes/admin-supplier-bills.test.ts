import { describe, expect, it } from 'vitest';
import type { StoredRun } from '../../../src/db/supplier-bill-repository.ts';
import type {
  BillReconciliationRequest,
  BillReconciliationResult,
} from '../../../src/supplier-bills/reconcile-bill.ts';
import { AS, fakeApp } from './fake-app.ts';

const RUN_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const run: StoredRun = {
  id: RUN_ID,
  supplierId: 'sim',
  day: '2026-12-04',
  trigger: 'api',
  billed: { count: 2, amountFen: 9700 },
  recorded: { count: 1, amountFen: 4850 },
  differences: [
    {
      kind: 'unknown_to_us',
      requestId: 'phantom-1a',
      ours: null,
      theirs: {
        requestId: 'phantom-1a',
        phone: '139****5678',
        faceValueYuan: 50,
        amountFen: 4850,
        status: 'SUCCESS',
        time: '2026-12-04T10:00:00.000Z',
        day: '2026-12-04',
      },
    },
  ],
};
const PATH = '/admin/suppliers/sim/bill-reconciliations';

function appWith(result: BillReconciliationResult = { kind: 'done', run }) {
  const given: BillReconciliationRequest[] = [];
  const api = fakeApp(
    {},
    undefined,
    {},
    {},
    {
      reconcile: async (request) => (given.push(request), result),
      run: async (supplierId, runId) =>
        supplierId === 'sim' && runId === RUN_ID ? { ...run, status: 'DIFFERENCES', createdAt: new Date() } : undefined,
    },
  );
  const csv = (body: string | Uint8Array, query = '?date=2026-12-04', headers = AS.operator) =>
    api.request(`${PATH}${query}`, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body });
  return { ...api, given, csv };
}

describe('admin routes of supplier bill reconciliation', () => {
  it('reconciles the fetched bill as an operator → 201 with the run; a viewer reads it, and may not start one', async () => {
    const api = appWith();
    const answer = await api.request(PATH, { method: 'POST', headers: AS.operator, body: { date: '2026-12-04' } });
    expect(answer).toMatchObject({
      status: 201,
      body: {
        runId: RUN_ID,
        supplierId: 'sim',
        date: '2026-12-04',
        status: 'DIFFERENCES',
        billed: run.billed,
        recorded: run.recorded,
        differences: [{ kind: 'unknown_to_us', requestId: 'phantom-1a', ours: null }],
      },
    });
    expect(answer.headers.get('location')).toBe(`${PATH}/${RUN_ID}`);
    expect(api.given).toEqual([{ supplierId: 'sim', day: '2026-12-04', trigger: 'api' }]);
    expect(await api.request(`${PATH}/${RUN_ID}`, { headers: AS.viewer })).toMatchObject({
      status: 200,
      body: answer.body,
    });
    expect(await api.request(PATH, { method: 'POST', headers: AS.viewer, body: { date: '2026-12-04' } })).toMatchObject(
      { status: 403 },
    );
    expect(api.given).toHaveLength(1);
  });

  it('refuses a bad date, a date in both places and a run id that is not one, before any lookup; 404 for a run not there', async () => {
    const api = appWith();
    for (const body of [
      {},
      { date: '2026-02-30' },
      { date: '2026-12-4' },
      { date: 20261204 },
      { date: '2026-12-04', x: 1 },
    ])
      expect(
        await api.request(PATH, { method: 'POST', headers: AS.operator, body }),
        JSON.stringify(body),
      ).toMatchObject({ status: 400 });
    expect(
      await api.request(`${PATH}?date=2026-12-04`, {
        method: 'POST',
        headers: AS.operator,
        body: { date: '2026-12-04' },
      }),
    ).toMatchObject({ status: 400 });
    expect(await api.request(`${PATH}/reconciliation-1`, { headers: AS.viewer })).toMatchObject({ status: 400 });
    expect(api.given).toEqual([]);
    expect(
      await api.request(`/admin/suppliers/other/bill-reconciliations/${RUN_ID}`, { headers: AS.viewer }),
    ).toMatchObject({ status: 404, body: { error: 'bill_reconciliation_not_found' } });
  });

  it('answers 404 for an unknown supplier, 400 for a CSV that is no bill, 502 when the bill cannot be fetched', async () => {
    const body = { date: '2026-12-04' };
    const post = (result: BillReconciliationResult) =>
      appWith(result).request(PATH, { method: 'POST', headers: AS.operator, body });
    expect(await post({ kind: 'no-supplier' })).toMatchObject({ status: 404, body: { error: 'supplier_not_found' } });
    expect(await post({ kind: 'bad-bill', message: 'line 2 x' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_bill', message: expect.stringContaining('line 2 x') },
    });
    expect(await post({ kind: 'unavailable', message: 'HTTP 500' })).toMatchObject({
      status: 502,
      body: { error: 'bill_unavailable', message: expect.stringContaining('HTTP 500') },
    });
  });

  it('takes a bill as a text/csv body past the 16 KiB JSON limit, up to 8 MiB, with the day in the query', async () => {
    const api = appWith();
    const bill = `requestId,phone,faceValueYuan,amountFen,status,time,day\n${'\n'.repeat(100_000)}`;
    expect(await api.csv(bill)).toMatchObject({ status: 201 });
    expect(api.given).toEqual([{ supplierId: 'sim', day: '2026-12-04', trigger: 'upload', csv: bill }]);
    expect(await api.csv(bill, '')).toMatchObject({ status: 400, body: { fields: [{ field: 'date' }] } });
    expect(await api.csv(bill, '?date=2026-02-30')).toMatchObject({ status: 400 });
    expect(await api.csv(new Uint8Array([0x41, 0xff, 0x0a]))).toMatchObject({ status: 400 });
    expect(await api.csv('x'.repeat(8 * 1024 * 1024 + 1))).toMatchObject({
      status: 413,
      body: { error: 'body_too_large' },
    });
    // Only an operator's upload is read: a viewer's is refused unread.
    expect(await api.csv(bill, '?date=2026-12-04', AS.viewer)).toMatchObject({ status: 403 });
    expect(api.given).toHaveLength(1);
  });

  it('keeps the 16 KiB limit and the JSON media type everywhere else', async () => {
    const api = appWith();
    const headers = { ...AS.operator, 'content-type': 'text/csv' };
    expect(await api.request('/admin/reconciliations', { method: 'POST', headers, body: 'a,b\n' })).toMatchObject({
      status: 415,
    });
    expect(
      await api.request(PATH, {
        method: 'POST',
        headers: AS.operator,
        body: JSON.stringify({ date: 'x'.repeat(17_000) }),
      }),
    ).toMatchObject({ status: 413 });
  });
});
