import { describe, expect, it, vi } from 'vitest';
import type { ReconciliationRun, ReconciliationService } from '../../../src/orders/reconciliation-service.ts';
import { ADMIN, ORDER_ID, fakeApp, stub } from './fake-app.ts';

const RUN_ID = 'reconciliation-0b7e3c1a-2f4d-4c5e-8a9b-112233445566';
const reconciliationApp = (methods: Partial<ReconciliationService>) =>
  fakeApp({ reconciliationService: stub<ReconciliationService>('reconciliationService', methods) });

describe('admin reconciliations', () => {
  it('starts a run on an admin request only, answering 202 with its id', async () => {
    const start = vi.fn<ReconciliationService['start']>(async () => ({ runId: RUN_ID }));
    const api = reconciliationApp({ start });
    expect((await api.request('/admin/reconciliations', { method: 'POST' })).status).toBe(401);
    expect(start).not.toHaveBeenCalled();
    expect(await api.request('/admin/reconciliations', { method: 'POST', headers: ADMIN })).toMatchObject({
      status: 202,
      body: { runId: RUN_ID },
    });
  });

  it('refuses a run id of neither form with 400 before asking the service', async () => {
    const report = vi.fn<ReconciliationService['report']>();
    const answer = await reconciliationApp({ report }).request('/admin/reconciliations/reconciliation-x', {
      headers: ADMIN,
    });
    expect(answer).toMatchObject({ status: 400, body: { fields: [{ field: 'runId' }] } });
    expect(report).not.toHaveBeenCalled();
  });

  it('reports a recorded run with its mismatches', async () => {
    const at = new Date('2026-11-23T19:00:00.000Z');
    const run: ReconciliationRun = {
      id: RUN_ID,
      trigger: 'manual',
      status: 'COMPLETED',
      checkedOrders: 12,
      checkedMerchants: 3,
      startedAt: at,
      finishedAt: at,
      mismatches: [
        {
          id: 1n,
          runId: RUN_ID,
          kind: 'missing-refund',
          subject: ORDER_ID,
          merchantId: 'm1',
          orderId: ORDER_ID,
          detail: { costFen: 100 },
          createdAt: at,
        },
      ],
    };
    const answer = await reconciliationApp({ report: async () => ({ kind: 'recorded', run }) }).request(
      `/admin/reconciliations/${RUN_ID}`,
      { headers: ADMIN },
    );
    expect(answer).toEqual({
      status: 200,
      headers: expect.anything(),
      body: {
        runId: RUN_ID,
        status: 'COMPLETED',
        trigger: 'manual',
        checkedOrders: 12,
        checkedMerchants: 3,
        startedAt: at.toISOString(),
        finishedAt: at.toISOString(),
        mismatches: [
          {
            kind: 'missing-refund',
            subject: ORDER_ID,
            merchantId: 'm1',
            orderId: ORDER_ID,
            detail: { costFen: 100 },
            at: at.toISOString(),
          },
        ],
      },
    });
  });

  it('reports a run only its workflow knows of yet, with nothing checked', async () => {
    const answer = await reconciliationApp({
      report: async () => ({ kind: 'not-recorded-yet', workflowStatus: 'RUNNING' }),
    }).request(`/admin/reconciliations/${RUN_ID}`, {
      headers: ADMIN,
    });
    expect(answer).toMatchObject({
      status: 200,
      body: { runId: RUN_ID, status: 'RUNNING', checkedOrders: 0, checkedMerchants: 0, mismatches: [] },
    });
  });

  it('answers 404 for a run nobody knows', async () => {
    const answer = await reconciliationApp({ report: async () => ({ kind: 'not-found' }) }).request(
      `/admin/reconciliations/${RUN_ID}`,
      { headers: ADMIN },
    );
    expect(answer).toMatchObject({
      status: 404,
      body: { error: 'reconciliation_not_found', message: `No reconciliation run ${RUN_ID}` },
    });
  });
});
