import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import { problem } from '../errors.ts';
import { noQuery, runIdParam } from '../request-schemas.ts';
import { validate } from '../validate.ts';

/** On-demand reconciliation runs and the report of any run (scheduled ones included). */
export function adminReconciliationRoutes({ reconciliationService }: Pick<ApiDeps, 'reconciliationService'>) {
  return new Hono()
    .post('/', validate('query', noQuery), async (c) => c.json(await reconciliationService.start(), 202))
    .get('/:runId', validate('param', runIdParam), validate('query', noQuery), async (c) => {
      const { runId } = c.req.valid('param');
      const report = await reconciliationService.report(runId);
      switch (report.kind) {
        case 'not-found':
          return problem(c, 404, 'reconciliation_not_found', `No reconciliation run ${runId}`);
        case 'not-recorded-yet':
          return c.json({
            runId,
            status: report.workflowStatus,
            checkedOrders: 0,
            checkedMerchants: 0,
            mismatches: [],
          });
        case 'recorded': {
          const { status, trigger, checkedOrders, checkedMerchants, startedAt, finishedAt } = report.run;
          const mismatches = report.run.mismatches.map(({ kind, subject, merchantId, orderId, detail, createdAt }) => ({
            kind,
            subject,
            merchantId,
            orderId,
            detail,
            at: createdAt,
          }));
          return c.json({ runId, status, trigger, checkedOrders, checkedMerchants, startedAt, finishedAt, mismatches });
        }
      }
    });
}
