import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { OperatorActionResult, OperatorService } from '../../orders/operator-service.ts';
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

/**
 * The on-call engineer's API: find orders by status and age, read one with
 * its whole story, and act on it as the operator the token names; refusals
 * are 409s (the operator service records them in the order's history).
 */
export function adminOrderRoutes({ operatorService }: Pick<ApiDeps, 'operatorService'>) {
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
