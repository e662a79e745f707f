import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { OperatorActionResult, OperatorService } from '../../orders/operator-service.ts';
import type { OperatorReversal } from '../../orders/reversal-service.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import type { AdminEnv } from '../admin-auth.ts';
import type { ApiDeps } from '../deps.ts';
import { orderNotFound, problem } from '../errors.ts';
import { orderJson } from '../order-json.ts';
import { storableText, trimmedText } from '../../util/storable-text.ts';
import { integerQuery, integerQueryOr, noQuery, orderIdParam } from '../request-schemas.ts';
import { validate } from '../validate.ts';

const listQuery = z.strictObject({
  status: z.enum(OrderStatus).optional(),
  olderThanSeconds: integerQuery(0, 10 * 365 * 24 * 3600).optional(),
  needsReview: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: integerQueryOr(100, 1, 500),
});
const resolveBody = z
  .strictObject({ outcome: z.enum(['SUCCEEDED', 'FAILED']), note: trimmedText(500) })
  .meta({ examples: [{ outcome: 'FAILED', note: 'carrier support confirmed the top-up never happened' }] });
/** A retry or a re-sent notification: why, if the operator likes (who asks is the token's operator). */
const actionBody = z
  .strictObject({ note: storableText(500).optional() })
  .meta({ examples: [{ note: 'carrier back up' }] });

/** A reversal confirmed by the supplier by other means (a call, its bill): why, always. */
const reverseBody = z
  .strictObject({ note: trimmedText(500) })
  .meta({ examples: [{ note: 'supplier s1 confirmed by phone: top-up reversed (ticket 4411)' }] });

const refused = (c: Context, reason: string) => problem(c, 409, 'action_refused', reason);

function actionAnswer(c: Context, orderId: string, result: OperatorActionResult) {
  switch (result.kind) {
    case 'order-not-found':
      return orderNotFound(c, orderId);
    case 'refused':
      return refused(c, result.reason);
    case 'unavailable':
      return problem(
        c,
        503,
        'workflow_unavailable',
        `The order workflow did not answer within ${result.waitedSeconds} s (no worker, or a slow carrier check); the action may still complete: read the order before asking again`,
      );
    case 'done':
      return c.json(result.result);
  }
}

function resendAnswer(c: Context, orderId: string, result: Awaited<ReturnType<OperatorService['resendNotification']>>) {
  switch (result.kind) {
    case 'order-not-found':
      return orderNotFound(c, orderId);
    case 'refused':
      return refused(c, result.reason);
    case 'started':
      return c.json({ workflowId: result.workflowId }, 202);
  }
}

function reverseAnswer(c: Context, orderId: string, reversal: OperatorReversal) {
  switch (reversal.kind) {
    case 'order-not-found':
      return orderNotFound(c, orderId);
    case 'refused':
      return refused(c, `Not reversed: ${reversal.reason}`);
    case 'not-final':
      return refused(c, `Not reversed: the order is ${reversal.status}, not SUCCEEDED (resolve it first)`);
    case 'unavailable':
      return problem(c, 503, 'workflow_unavailable', 'The reversal could not be started now (Temporal); ask again');
    case 'already-reversed':
      return c.json({ orderId, outcome: 'already-reversed', workflowId: reversal.workflowId });
    case 'running':
      return c.json({ orderId, outcome: 'running', workflowId: reversal.workflowId }, 202);
    case 'done':
      if (reversal.result.outcome === 'not-reversible') return refused(c, `Not reversed: ${reversal.result.reason}`);
      return c.json({ orderId, workflowId: reversal.workflowId, ...reversal.result });
  }
}

/**
 * The on-call engineer's API: find orders by status and age, read one with
 * its whole story, and act on it as the operator the token names; refusals
 * are 409s (the operator service records them in the order's history).
 */
export function adminOrderRoutes(deps: Pick<ApiDeps, 'operatorService' | 'reversalService'>) {
  const { operatorService } = deps;
  return new Hono<AdminEnv>()
    .get('/orders', validate('query', listQuery), async (c) => {
      const found = await operatorService.list(c.req.valid('query'));
      return c.json({ orders: found.map((order) => orderJson(order, {}, 'operator')) });
    })
    .get('/orders/:orderId', validate('param', orderIdParam), validate('query', noQuery), async (c) => {
      const { orderId } = c.req.valid('param');
      const inspection = await operatorService.inspect(orderId);
      if (!inspection) return orderNotFound(c, orderId);
      const { order, history, money, live } = inspection;
      return c.json({ ...orderJson(order, { history, money }, 'operator'), live: live ?? null });
    })
    .route('/', orderActionRoutes(deps));
}

/** The operator's actions on one order, each as the operator the token names. */
function orderActionRoutes({ operatorService, reversalService }: Pick<ApiDeps, 'operatorService' | 'reversalService'>) {
  return new Hono<AdminEnv>()
    .post(
      '/orders/:orderId/resolve',
      validate('param', orderIdParam),
      validate('query', noQuery),
      validate('json', resolveBody),
      async (c) => {
        const { orderId } = c.req.valid('param');
        return actionAnswer(
          c,
          orderId,
          await operatorService.resolve(orderId, { ...c.req.valid('json'), operator: c.get('operator').name }),
        );
      },
    )
    .post(
      '/orders/:orderId/retry',
      validate('param', orderIdParam),
      validate('query', noQuery),
      validate('json', actionBody),
      async (c) => {
        const { orderId } = c.req.valid('param');
        return actionAnswer(
          c,
          orderId,
          await operatorService.retry(orderId, { ...c.req.valid('json'), operator: c.get('operator').name }),
        );
      },
    )
    .post(
      '/orders/:orderId/reverse',
      validate('param', orderIdParam),
      validate('query', noQuery),
      validate('json', reverseBody),
      async (c) => {
        const { orderId } = c.req.valid('param');
        const { note } = c.req.valid('json');
        const by = c.get('operator').name;
        return reverseAnswer(c, orderId, await reversalService.fromOperator({ orderId, source: 'operator', by, note }));
      },
    )
    .post(
      '/orders/:orderId/notifications',
      validate('param', orderIdParam),
      validate('query', noQuery),
      validate('json', actionBody),
      async (c) => {
        const { orderId } = c.req.valid('param');
        const operator = c.get('operator').name;
        return resendAnswer(
          c,
          orderId,
          await operatorService.resendNotification(orderId, { ...c.req.valid('json'), operator }),
        );
      },
    );
}
