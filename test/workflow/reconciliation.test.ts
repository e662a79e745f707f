import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { PageResult } from '../../src/shared/reconciliation.ts';
import type { reconciliation } from '../../src/workflows/reconciliation.ts';
import { fakeActivities } from './fake-activities.ts';
import { useWorkflowTestEnv } from './workflow-env.ts';

const { env, bundle, recordHistory } = useWorkflowTestEnv();

describe('reconciliation workflow', () => {
  it('pages through every order, then the balances, then the stale orders, and reports what it found', async () => {
    const calls: string[] = [];
    const page = (name: string, pages: PageResult[]) => async (input: { after: string; checkedBefore?: number }) => {
      calls.push(`${name}(${[input.after, input.checkedBefore].filter((arg) => arg !== undefined).join(', ')})`);
      return pages.shift() as PageResult;
    };
    const activities = {
      ...fakeActivities().activities,
      beginReconciliation: async () => '2026-11-29T03:00:00.000Z',
      reconcileOrderMoney: page('orders', [
        { checked: 1000, next: 'o-1000' },
        { checked: 1000, next: 'o-2000' },
        { checked: 7 },
      ]),
      reconcileBalances: page('balances', [{ checked: 1000, next: 'm-1000' }, { checked: 3 }]),
      reconcileStaleOrders: page('stale', [{ checked: 20, next: 's-20' }, { checked: 2 }]),
      finishReconciliation: async () => 3,
    };
    const taskQueue = `test-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env().nativeConnection,
      taskQueue,
      workflowBundle: bundle(),
      activities,
    });
    await worker.runUntil(async () => {
      const handle = await env().client.workflow.start<typeof reconciliation>('reconciliation', {
        taskQueue,
        workflowId: `reconciliation-${randomUUID()}`,
        args: [{ trigger: 'manual', staleAfterSeconds: 180, settleSeconds: 300 }],
      });
      expect(await handle.result()).toEqual({
        runId: handle.workflowId,
        checkedOrders: 2007,
        checkedMerchants: 1003,
        mismatches: 3,
      });
      await recordHistory(handle, 'reconciliation');
    });
    expect(calls).toEqual([
      'orders(, 0)',
      'orders(o-1000, 1000)',
      'orders(o-2000, 2000)',
      'balances(, 0)',
      'balances(m-1000, 1000)',
      'stale()',
      'stale(s-20)',
    ]);
  });
});
