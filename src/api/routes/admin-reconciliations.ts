import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Hono } from 'hono';
import { TASK_QUEUE } from '../../shared/order-workflow.ts';
import { RECONCILIATION_WORKFLOW_TYPE, manualReconciliationId } from '../../shared/reconciliation.ts';
import { reconciliationInput } from '../../temporal/reconciliation-schedule.ts';
import type { reconciliation } from '../../workflows/reconciliation.ts';
import type { ApiDeps } from '../deps.ts';
import { problem } from '../errors.ts';
import { runIdParam } from '../request-schemas.ts';
import { validate } from '../validate.ts';

/** On-demand reconciliation runs and the report of any run (scheduled ones included). */
export function adminReconciliationRoutes({ reconciliations, temporal, slaSeconds }: ApiDeps) {
  return new Hono()
    .post('/', async (c) => {
      const runId = manualReconciliationId(randomUUID());
      await temporal.workflow.start<typeof reconciliation>(RECONCILIATION_WORKFLOW_TYPE, {
        taskQueue: TASK_QUEUE,
        workflowId: runId,
        args: [reconciliationInput('manual', slaSeconds)],
      });
      return c.json({ runId }, 202);
    })
    .get('/:runId', validate('param', runIdParam), async (c) => {
      const { runId } = c.req.valid('param');
      const run = await reconciliations.find(runId);
      if (run) {
        const { status, trigger, checkedOrders, checkedMerchants, startedAt, finishedAt } = run;
        const mismatches = run.mismatches.map(({ kind, subject, merchantId, orderId, detail, createdAt }) => ({ kind, subject, merchantId, orderId, detail, at: createdAt }));
        return c.json({ runId, status, trigger, checkedOrders, checkedMerchants, startedAt, finishedAt, mismatches });
      }
      // Started, but its first step has not run (no worker yet, say): only the workflow knows of it.
      const notFound = () => problem(c, 404, 'reconciliation_not_found', `No reconciliation run ${runId}`);
      try {
        const workflow = await temporal.workflow.getHandle(runId).describe();
        if (workflow.type !== RECONCILIATION_WORKFLOW_TYPE) return notFound();
        return c.json({ runId, status: workflow.status.name, checkedOrders: 0, checkedMerchants: 0, mismatches: [] });
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return notFound();
        throw error;
      }
    });
}
